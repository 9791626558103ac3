import test from 'ava';
import { humanRequest, startDouble, startTarget, unique, type DoubleWithClients } from './fixtures.js';

// Login v1's Post Creation action (External Authentication flow): the bridge must set the hash itself,
// so the action calls the bridge synchronously with the new user's id.

let z: DoubleWithClients;
test.before(async () => {
  z = await startDouble();
});
test.after.always(() => z.double.close());

async function createdUser(): Promise<string> {
  return (await z.users.createUser(humanRequest(z.double.defaultOrgId, unique('v1user')))).id;
}

test('a Post Creation script calls an in-process endpoint synchronously with the created user', async (t) => {
  const bridge = await startTarget(() => ({ body: JSON.stringify({ projectId: 'p1' }) }));
  t.teardown(() => bridge.close());
  const userId = await createdUser();
  const script = `
    function bridgeHandoff(ctx, api) {
      var user = ctx.v1.getUser();
      var response = require('zitadel/http').fetch('${bridge.url}', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Bridge-Key': 'one, two' },
        body: { userId: user.id, username: user.username, firstName: user.human.firstName },
      });
      if (response.status !== 200) throw new Error('bridge answered ' + response.status);
      api.v1.appendUserGrant({ projectId: response.json().projectId, roles: ['migrated'] });
    }`;
  const run = await z.double.runPostCreationAction(script, { userId });
  t.true(run.ok, run.error);
  t.is(run.name, 'bridgeHandoff');
  t.deepEqual(run.userGrants, [{ projectId: 'p1', projectGrantId: '', roles: ['migrated'] }]);
  const [request] = bridge.requests;
  t.is(request?.method, 'POST');
  t.deepEqual(JSON.parse(request!.body), { userId, username: z.double.state.users.get(userId)!.username, firstName: 'Ada' });
  // A string header value is split at commas: two header lines.
  const keyLines = request!.rawHeaders.filter((_, i, all) => i % 2 === 0 && all[i]!.toLowerCase() === 'x-bridge-key');
  t.is(keyLines.length, 2);
  // The headers object replaced the defaults: no Accept header.
  t.is(request!.headers.accept, undefined);
  t.is(run.fetches[0]?.status, 200);
});

test('defaults: GET with JSON headers; a string body is sent JSON-encoded', async (t) => {
  const bridge = await startTarget(() => ({ body: '{}' }));
  t.teardown(() => bridge.close());
  const userId = await createdUser();
  const script = `
    function defaults(ctx, api) {
      require('zitadel/http').fetch('${bridge.url}');
      require('zitadel/http').fetch('${bridge.url}', { method: 'PUT', body: 'raw' });
    }`;
  const run = await z.double.runPostCreationAction(script, { userId });
  t.true(run.ok, run.error);
  t.is(bridge.requests[0]?.method, 'GET');
  t.is(bridge.requests[0]?.headers.accept, 'application/json');
  t.is(bridge.requests[1]?.body, '"raw"');
});

test('failures: an unknown fetch option, an unreachable endpoint, a throwing script', async (t) => {
  const userId = await createdUser();
  const badKey = await z.double.runPostCreationAction(`function a(ctx, api) { require('zitadel/http').fetch('http://127.0.0.1:9', { timeout: 1 }); }`, { userId });
  t.false(badKey.ok);
  t.is(badKey.error, 'key is invalid');
  const unreachable = await z.double.runPostCreationAction(`function b(ctx, api) { require('zitadel/http').fetch('http://127.0.0.1:9/'); }`, { userId }, { allowedToFail: true });
  t.false(unreachable.ok);
  t.true(unreachable.allowedToFail);
  t.truthy(unreachable.fetches[0]?.error);
  const missing = await z.double.runPostCreationAction(`var x = 1;`, { userId }, { name: 'notThere' });
  t.is(missing.error, 'function not found');
  t.is(z.double.state.actionV1Runs.filter((run) => run.userId === userId).length, 3);
});
