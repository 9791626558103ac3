import { ConfigError, parseConfig } from '../../src/config/load.js';
import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import bcrypt from 'bcrypt';
import { closeDatabases } from '../support/databases.js';
import { startMigrationWorld, type MigrationWorld } from '../support/migration-world.js';
import { login, type CompletedLogin } from '../support/relying-party.js';
import { byFormat, loadVectors, wrongPassword } from '../passwords/support/vectors.js';
import { humanRequest } from '../zitadel-double/fixtures.js';
import { Ledger } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import type { TestUser } from '../support/legacy-users.js';
import type { ActionV1Run } from '../support/zitadel/index.js';

// Login v1 with the Post Creation action: ZITADEL creates the user from the bridge's IdP without a password,
// runs the shipped action, and the bridge sets the hash through ZITADEL's API.

const SCRIPT_FILE = new URL('../../actions/v1/legacy-bridge-post-creation.js', import.meta.url);
const SECRET = 'v1-shared-secret-4f1c2b7e9a0d';

const ssha = byFormat(loadVectors()).get('ldap-ssha')!.find((v) => v.expect)!;
const ninaHash = (await bcrypt.hash('Native-Passw0rd!', 10)).replace(/^\$2b\$/, '$2y$');
const bcrypt10 = async (password: string) => ({ hash: (await bcrypt.hash(password, 10)).replace(/^\$2b\$/, '$2y$') });

const others = ['wrong', 'nolink', 'stale', 'twice', 'outage'];
const users: TestUser[] = [
  { username: 'nina', email: 'nina@example.com', firstName: 'Nina', lastName: 'Native', password: 'Native-Passw0rd!', store: async () => ({ hash: ninaHash }) },
  { username: 'rita', email: 'rita@example.com', firstName: 'Rita', lastName: 'Rehash', password: ssha.password, store: async () => ({ hash: ssha.hash }) },
  ...others.map((name) => ({
    username: `v1-${name}`,
    email: `v1-${name}@example.com`,
    firstName: 'Login',
    lastName: name,
    password: `Login-${name}-1!`,
    store: bcrypt10,
  })),
];
const passwordOf = (username: string): string => users.find((u) => u.username === username)!.password!;

const worldOptions = { users, schemes: ['bcrypt', 'ldap-ssha'], verifiers: ['argon2'], hook: false, zitadel: { actionsV1: { secret: SECRET } } };
let world: MigrationWorld;

test.before(async () => {
  world = await startMigrationWorld(worldOptions);
});

test.after.always(async () => {
  await world?.close();
  await closeDatabases();
});

/** The shipped action with the operator's two constants filled in. */
function shippedScript(url: string, secret: string): string {
  let script = readFileSync(SCRIPT_FILE, 'utf8');
  for (const [name, value] of [
    ['BRIDGE_URL', url],
    ['BRIDGE_SECRET', secret],
  ] as const) {
    const constant = new RegExp(`^var ${name} = '[^'\\n]*';$`, 'm');
    if (!constant.test(script)) throw new Error(`the shipped action has no constant ${name}`);
    script = script.replace(constant, () => `var ${name} = ${JSON.stringify(value)};`);
  }
  return script;
}

const endpoint = (w: MigrationWorld) => `${w.bridge.issuer}${w.bridge.config.zitadel.actionsV1.path}`;
const ledgerOf = (w: MigrationWorld) => new Ledger(w.db, new SealedBox(w.bridge.config.oidc.cookieKeys.map((k) => k.reveal()), 'hand-off hash'));
const zitadelUser = (w: MigrationWorld, id: string) => w.zitadel.double.state.users.get(id)!;

/** Login v1: the user logs in at the bridge, then ZITADEL auto-creates the user, linked to the IdP, without a password. */
async function loginAndCreate(w: MigrationWorld, username: string, idpId = w.idpId): Promise<{ done: CompletedLogin; zitadelUserId: string }> {
  const done = await login(w.rp, w.bridge, username, passwordOf(username));
  const intent = await w.zitadel.double.retrieveIdentityProviderIntent({
    idpId,
    idpUserId: done.idToken.sub,
    idpUserName: username,
    rawInformation: done.userinfo as never,
    accessToken: done.tokens.access_token,
    idToken: done.tokens.id_token!,
  });
  if (!intent.created) throw new Error(`ZITADEL did not create ${username}`);
  if (zitadelUser(w, intent.userId).password) throw new Error(`${username} was created with a password`);
  return { done, zitadelUserId: intent.userId };
}

async function runAction(w: MigrationWorld, zitadelUserId: string, secret = SECRET): Promise<ActionV1Run> {
  // No name given: the double calls the script's first function, as ZITADEL calls the one named like the action.
  return w.zitadel.double.runPostCreationAction(shippedScript(endpoint(w), secret), { userId: zitadelUserId }, { allowedToFail: true });
}

/** The action never fails and never receives a hash. */
function calledOnce(t: ExecutionContext, run: ActionV1Run, status: number) {
  t.true(run.ok, run.error);
  t.is(run.name, 'legacyBridgePostCreation');
  t.is(run.fetches.length, 1);
  t.is(run.fetches[0]!.status, status);
  t.false(/\$/.test(run.fetches[0]!.responseBody ?? ''), 'no hash in the answer to the action');
}

for (const [username, kind, prefix] of [
  ['nina', 'native', '$2y$10$'],
  ['rita', 'rehash', '$argon2id$'],
] as const) {
  test(`${kind}: the Post Creation action gets the user's hash into ZITADEL`, async (t) => {
    const { done, zitadelUserId } = await loginAndCreate(world, username);
    const run = await runAction(world, zitadelUserId);
    calledOnce(t, run, 204);
    t.is(run.fetches[0]!.responseBody, '');
    const request = run.fetches[0]!;
    t.is(request.method, 'POST');
    t.is(request.url, endpoint(world));
    t.deepEqual(request.headers, { 'Content-Type': ['application/json'], Authorization: [`Bearer ${SECRET}`] });
    t.deepEqual(JSON.parse(request.body!), { userId: zitadelUserId });
    t.deepEqual(run.logs, []);

    const user = zitadelUser(world, zitadelUserId);
    t.true(user.password!.encoded.startsWith(prefix), `${kind} hand-off is ${user.password!.encoded.slice(0, 16)}…`);
    if (kind === 'native') t.is(user.password!.encoded, ninaHash);
    t.true(user.password!.imported);
    t.false(user.password!.changeRequired);
    t.false(await world.zitadel.double.checkPassword(username, wrongPassword(passwordOf(username))));
    t.true(await world.zitadel.double.checkPassword(username, passwordOf(username)));
    const entry = await ledgerOf(world).get(done.idToken.sub);
    t.is(entry?.state, 'migrated');
    t.is(entry?.method, 'actions-v1');
    t.is(entry?.zitadelUserId, zitadelUserId);
    t.is(entry?.handoff, kind);
    t.false(entry!.hasPendingHash, 'the hand-off hash is erased once ZITADEL has it');
  });
}

test('a wrong secret is refused with 401 and changes nothing; the login goes on', async (t) => {
  const { done, zitadelUserId } = await loginAndCreate(world, 'v1-wrong');
  const run = await runAction(world, zitadelUserId, `${SECRET}x`);
  calledOnce(t, run, 401);
  t.regex(run.logs.join('\n'), /^warn: legacy bridge: .* HTTP 401$/m);
  t.is(zitadelUser(world, zitadelUserId).password, undefined);
  const entry = await ledgerOf(world).get(done.idToken.sub);
  t.is(entry?.state, 'seen');
  t.true(entry!.hasPendingHash);
  // The same action with the right secret still works afterwards.
  calledOnce(t, await runAction(world, zitadelUserId), 204);
  t.true(await world.zitadel.double.checkPassword('v1-wrong', passwordOf('v1-wrong')));
});

test('a user linked to another IdP under the same id gets no hash', async (t) => {
  const other = world.zitadel.double.addGenericOidcIdp({ name: 'someone else' });
  // The legacy user did log in at the bridge just now, but the ZITADEL user is not linked to the bridge's IdP.
  const { done, zitadelUserId } = await loginAndCreate(world, 'v1-nolink', other.id);
  const run = await runAction(world, zitadelUserId);
  calledOnce(t, run, 404);
  t.deepEqual(JSON.parse(run.fetches[0]!.responseBody!), { error: 'not_linked' });
  t.is(zitadelUser(world, zitadelUserId).password, undefined);
  t.not((await ledgerOf(world).get(done.idToken.sub))?.state, 'migrated');
});

test('a legacy login older than the configured age gets no hash', async (t) => {
  const { done, zitadelUserId } = await loginAndCreate(world, 'v1-stale');
  await world.db.query("UPDATE migration_ledger SET last_login_at = now() - interval '1 hour' WHERE legacy_id = $1", [done.idToken.sub]);
  const run = await runAction(world, zitadelUserId);
  calledOnce(t, run, 409);
  t.deepEqual(JSON.parse(run.fetches[0]!.responseBody!), { error: 'no_recent_login' });
  t.is(zitadelUser(world, zitadelUserId).password, undefined);
  t.is((await ledgerOf(world).get(done.idToken.sub))?.state, 'seen');
});

test('a second call for a migrated user is a no-op', async (t) => {
  const { done, zitadelUserId } = await loginAndCreate(world, 'v1-twice');
  calledOnce(t, await runAction(world, zitadelUserId), 204);
  const user = zitadelUser(world, zitadelUserId);
  const [hash, sequence] = [user.password!.encoded, user.sequence];
  const first = await ledgerOf(world).get(done.idToken.sub);
  calledOnce(t, await runAction(world, zitadelUserId), 204);
  const after = zitadelUser(world, zitadelUserId);
  t.is(after.password!.encoded, hash);
  t.is(after.sequence, sequence, 'ZITADEL was not changed again');
  const second = await ledgerOf(world).get(done.idToken.sub);
  t.is(second?.state, 'migrated');
  t.deepEqual(second?.migratedAt, first?.migratedAt);
  t.is(second?.attempts, first?.attempts);
  t.true(await world.zitadel.double.checkPassword('v1-twice', passwordOf('v1-twice')));
});

test('bad requests: no or wrong credentials, bad bodies, unknown and unlinked users', async (t) => {
  const post = (body: string, authorization: string | null = `Bearer ${SECRET}`) =>
    fetch(endpoint(world), { method: 'POST', body, headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) } });
  const good = JSON.stringify({ userId: '123' });
  for (const authorization of [null, SECRET, `Basic ${SECRET}`, `Bearer ${SECRET.slice(0, -1)}`, `Bearer ${SECRET}x`, 'Bearer ']) {
    const response = await post(good, authorization);
    t.is(response.status, 401, String(authorization));
    t.is(response.headers.get('www-authenticate'), 'Bearer');
    t.deepEqual(await response.json(), { error: 'unauthorized' });
  }
  for (const body of ['not json', '[]', '{}', '{"userId":""}', '{"userId":5}', '{"userId":"a b"}', JSON.stringify({ userId: 'x'.repeat(201) })]) {
    const response = await post(body);
    t.is(response.status, 400, body.slice(0, 30));
    t.deepEqual(await response.json(), { error: 'invalid_request' });
  }
  const tooLarge = await post(JSON.stringify({ userId: '1', padding: 'x'.repeat(17 * 1024) }));
  t.is(tooLarge.status, 413);
  const unknown = await post(JSON.stringify({ userId: '404404404' }));
  t.is(unknown.status, 404);
  t.deepEqual(await unknown.json(), { error: 'unknown_user' });
  // A user made through the API, without any IdP link.
  const plain = await world.zitadel.users.createUser(humanRequest(world.zitadel.double.defaultOrgId, 'v1-plain'));
  const unlinked = await post(JSON.stringify({ userId: plain.id }));
  t.is(unlinked.status, 404);
  t.deepEqual(await unlinked.json(), { error: 'not_linked' });
  t.is(zitadelUser(world, plain.id).password, undefined);
  const get = await fetch(endpoint(world));
  t.true(get.status >= 400 && get.status < 500, `GET is not served (HTTP ${get.status})`);
});

test('ZITADEL unreachable: 503, nothing lost; the next call (or migrate retry) finishes it', async (t) => {
  const outage = await startMigrationWorld({ ...worldOptions, proxy: true });
  t.teardown(() => outage.close());
  const { done, zitadelUserId } = await loginAndCreate(outage, 'v1-outage');
  await outage.zitadelProxy!.cut();
  const run = await runAction(outage, zitadelUserId);
  calledOnce(t, run, 503);
  t.deepEqual(JSON.parse(run.fetches[0]!.responseBody!), { error: 'temporarily_unavailable' });
  t.is(zitadelUser(outage, zitadelUserId).password, undefined);
  const entry = await ledgerOf(outage).get(done.idToken.sub);
  t.not(entry?.state, 'migrated');
  t.true(entry!.hasPendingHash, 'the hash waits for a retry');
  t.true((await ledgerOf(outage).unfinished(100)).some((e) => e.legacyId === done.idToken.sub), '`migrate retry` would pick it up');

  await outage.zitadelProxy!.restore();
  calledOnce(t, await runAction(outage, zitadelUserId), 204);
  t.true(await outage.zitadel.double.checkPassword('v1-outage', passwordOf('v1-outage')));
  t.is((await ledgerOf(outage).get(done.idToken.sub))?.method, 'actions-v1');
});

test('a secret ZITADEL\'s fetch would split or trim is refused by the configuration', (t) => {
  for (const secret of ['one,two', ' padded', 'in between']) {
    const error = t.throws(() =>
      parseConfig({
        issuer: 'https://bridge.example.com',
        oidc: { clients: [{ clientId: 'c', clientSecret: 's', redirectUris: ['https://rp.example/cb'] }], cookieKeys: ['k'] },
        zitadel: { url: 'https://auth.example.com', pat: 'p', organizationId: 'o', idpId: 'i', actionsV1: { secret } },
      }),
    ) as ConfigError;
    const issue = error.issues.find((i) => i.path === 'zitadel.actionsV1.secret');
    t.regex(issue?.message ?? '', /no comma and no blank/);
    t.false(error.message.includes(secret), 'the message does not repeat the secret');
  }
});
