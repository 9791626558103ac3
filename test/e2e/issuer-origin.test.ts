import { request } from 'node:http';
import test from 'ava';
import { startTestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS } from '../support/legacy-users.js';
import { ZITADEL_CALLBACK } from '../support/relying-party.js';

test.after.always(closeDatabases);

/** GET `target` from the bridge with this Host (and maybe X-Forwarded-Host) header, as any client may send it. */
function getWithHost(issuer: string, target: string, host: string, forwardedHost?: string): Promise<{ status: number; body: string; location?: string }> {
  const { hostname, port } = new URL(issuer);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host, ...(forwardedHost ? { 'x-forwarded-host': forwardedHost } : {}) };
    const req = request({ hostname, port, path: target, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the URLs a request makes the bridge build start with the issuer, whatever Host the request names', async (t) => {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_host');
  await createLegacyTable(db, table, STANDARD_USERS);
  const bridge = await startTestBridge({ db, legacy: legacySection(table), adjust: (raw) => void Object.assign(raw, { server: { trustProxy: true } }) });
  t.teardown(() => bridge.close());
  const discovery = '/.well-known/openid-configuration';
  const cases: Array<[string, string, string?]> = [
    [discovery, 'evil.example'],
    [discovery, 'a b%'],
    [`http://evil.example${discovery}`, 'evil.example'],
    // Behind a trusted proxy too: X-Forwarded-Host is the client's to write as well.
    [discovery, 'evil.example', 'forwarded.evil.example'],
  ];
  for (const [target, host, forwardedHost] of cases) {
    const { status, body } = await getWithHost(bridge.issuer, target, host, forwardedHost);
    t.is(status, 200, `${target} with Host ${host}`);
    const document = JSON.parse(body) as Record<string, unknown>;
    t.is(document.issuer, bridge.issuer);
    for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      t.true(String(document[name]).startsWith(`${bridge.issuer}/`), `${name}: ${String(document[name])}`);
    }
  }
});

test('a redirect the bridge makes (authorize to its login page) names no host but the issuer, whatever Host or X-Forwarded-Host names', async (t) => {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_host_redirect');
  await createLegacyTable(db, table, STANDARD_USERS);
  const bridge = await startTestBridge({ db, legacy: legacySection(table), adjust: (raw) => void Object.assign(raw, { server: { trustProxy: true } }) });
  t.teardown(() => bridge.close());
  const authorize = `/auth?${new URLSearchParams({ client_id: bridge.clientId, redirect_uri: ZITADEL_CALLBACK, response_type: 'code', scope: 'openid', state: 's' })}`;
  const { status, location } = await getWithHost(bridge.issuer, authorize, 'evil.example', 'forwarded.evil.example');
  t.is(status, 303);
  // A path alone (the browser stays on the host it asked) or the issuer; never the host a header named.
  t.truthy(location);
  t.is(new URL(location!, bridge.issuer).origin, new URL(bridge.issuer).origin, location);
  t.regex(location!, /^(\/|https?:\/\/(127\.0\.0\.1|localhost))/);
  t.false(location!.includes('evil'), location);
});
