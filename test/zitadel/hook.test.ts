import test from 'ava';
import bcrypt from 'bcrypt';
import { closeDatabases } from '../support/databases.js';
import { startMigrationWorld, type MigrationWorld } from '../support/migration-world.js';
import { login, type CompletedLogin } from '../support/relying-party.js';
import { byFormat, loadVectors, wrongPassword } from '../passwords/support/vectors.js';
import { Ledger } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import type { TestUser } from '../support/legacy-users.js';
import { computeSignatureHeader, type IntentInput, type IntentOutcome } from '../support/zitadel/index.js';

// Hashes made by independent tools: a Django PBKDF2 (re-encoded for ZITADEL) and an OpenLDAP {SSHA} (re-hashed).
const vectors = byFormat(loadVectors());
const django = vectors.get('django-pbkdf2-sha256')!.find((v) => v.expect && !/\$(26|36)0000\$/.test(v.hash))!;
const ssha = vectors.get('ldap-ssha')!.find((v) => v.expect)!;
const vector = (hash: string) => async () => ({ hash });
const bcrypt10 = async (password: string) => ({ hash: (await bcrypt.hash(password, 10)).replace(/^\$2b\$/, '$2y$') });

const users: TestUser[] = [
  { username: 'nina', email: 'nina@example.com', firstName: 'Nina', lastName: 'Native', password: 'Native-Passw0rd!', store: bcrypt10 },
  { username: 'rene', email: 'rene@example.com', firstName: 'René', lastName: 'Encoded', password: django.password, store: vector(django.hash) },
  { username: 'rita', email: 'rita@example.com', firstName: 'Rita', lastName: 'Rehash', password: ssha.password, store: vector(ssha.hash) },
  ...['replay', 'foreign', 'other', 'stale', 'idp', 'linked', 'forged', 'old', 'again'].map((name) => ({
    username: `r-${name}`,
    email: `r-${name}@example.com`,
    firstName: 'Refused',
    lastName: name,
    password: `Refused-${name}-1!`,
    store: bcrypt10,
  })),
];

let world: MigrationWorld;

test.before(async () => {
  world = await startMigrationWorld({ users, schemes: ['bcrypt', 'django-pbkdf2-sha256', 'ldap-ssha'], verifiers: ['pbkdf2', 'argon2'] });
});

test.after.always(async () => {
  await world?.close();
  await closeDatabases();
});

const zitadelUser = (username: string) => [...world.zitadel.double.state.users.values()].find((u) => u.username === username);
/** ZITADEL's intent after a bridge login, as login v2 builds it; `overrides` change what a test needs changed. */
const intentFor = (result: CompletedLogin, username: string, overrides: Partial<IntentInput> = {}): IntentInput => ({
  idpId: world.idpId,
  idpUserId: result.idToken.sub,
  idpUserName: username,
  rawInformation: result.userinfo as never,
  accessToken: result.tokens.access_token,
  ...overrides,
});

/** The hash ZITADEL would create the user with, from the intent response after the hook. */
const handedHash = (outcome: IntentOutcome) => {
  const password = outcome.response.addHumanUser?.passwordType;
  return password?.case === 'hashedPassword' ? password.value.hash : undefined;
};
const ledger = () => new Ledger(world.db, new SealedBox(world.bridge.config.oidc.cookieKeys.map((k) => k.reveal()), 'hand-off hash'));

for (const [username, password, kind, prefix] of [
  ['nina', 'Native-Passw0rd!', 'native', '$2y$10$'],
  ['rene', django.password, 'reencoded', '$pbkdf2-sha256$'],
  ['rita', ssha.password, 'rehash', '$argon2id$'],
] as const) {
  test(`${kind}: after the first brokered login ZITADEL holds the user with the same password`, async (t) => {
    const { intent, login: done } = await world.brokeredLogin(username, password);
    t.true(intent.created);
    const user = zitadelUser(username)!;
    t.truthy(user, 'ZITADEL created the user');
    t.true(user.password!.encoded.startsWith(prefix), `${kind} hand-off is ${user.password!.encoded.slice(0, 16)}…`);
    t.true(user.password!.imported);
    t.false(user.password!.changeRequired);
    t.deepEqual(user.idpLinks, [{ idpId: world.idpId, userId: done.idToken.sub, userName: username }]);
    t.true(user.email.verified);
    t.is(Buffer.from(user.metadata.get('legacy_id')!.value).toString(), done.idToken.sub);
    // ZITADEL's own password check, the way its verifiers read the imported hash.
    t.false(await world.zitadel.double.checkPassword(username, wrongPassword(password)));
    t.true(await world.zitadel.double.checkPassword(username, password));
    const entry = await ledger().get(done.idToken.sub);
    t.is(entry?.state, 'migrated');
    t.is(entry?.method, 'hook');
    t.is(entry?.handoff, kind);
    // Kept only while the login is fresh (ZITADEL may retry the creation), then erased by the cleanup.
    const { rows } = await world.db.query<{ bounded: boolean }>(
      'SELECT pending_hash IS NULL OR pending_expires_at <= last_login_at + make_interval(secs => $2::float8) AS bounded FROM migration_ledger WHERE legacy_id = $1',
      [done.idToken.sub, world.bridge.config.zitadel.hook.maxLoginAgeSeconds],
    );
    t.true(rows[0]!.bounded, 'the hand-off hash outlives the login\'s freshness');
  });
}

test('ZITADEL\'s creation failed after the hook answered: its next try, with a new token of the same login, gets the same hash', async (t) => {
  const first = await login(world.rp, world.bridge, 'r-again', 'Refused-again-1!');
  // The hook answers, but ZITADEL creates no user (auto-creation off stands in for a timeout or a username clash).
  const failed = await world.zitadel.double.retrieveIdentityProviderIntent(intentFor(first, 'r-again', { autoCreation: false }));
  const hash = handedHash(failed);
  t.truthy(hash);
  // The user tries again: the bridge's session answers, so there is a new access token but no new password login.
  const logins = (await ledger().get(first.idToken.sub))!.logins;
  const second = await login(world.rp, world.bridge, 'r-again', 'not asked: the session answers', { browser: first.browser, loginHint: 'r-again' });
  t.not(second.tokens.access_token, first.tokens.access_token);
  t.is((await ledger().get(first.idToken.sub))!.logins, logins, 'no new password login');
  const created = await world.zitadel.double.retrieveIdentityProviderIntent(intentFor(second, 'r-again'));
  t.true(created.created);
  t.is(zitadelUser('r-again')!.password?.encoded, hash);
  t.true(await world.zitadel.double.checkPassword('r-again', 'Refused-again-1!'));
  t.is((await ledger().get(first.idToken.sub))?.state, 'migrated');
});

test('a replayed hook call gets no hash', async (t) => {
  const result = await login(world.rp, world.bridge, 'r-replay', 'Refused-replay-1!');
  // ZITADEL does not create the user the first time (auto-creation off), so the second call still wants one.
  const intent = intentFor(result, 'r-replay', { autoCreation: false });
  const first = await world.zitadel.double.retrieveIdentityProviderIntent(intent);
  t.truthy(handedHash(first));
  const replay = await world.zitadel.double.retrieveIdentityProviderIntent(intent);
  t.falsy(handedHash(replay), 'the same token never releases a hash twice');
});

test('a token the bridge never issued gets no hash; the user is created without a password', async (t) => {
  const result = await login(world.rp, world.bridge, 'r-foreign', 'Refused-foreign-1!');
  const outcome = await world.zitadel.double.retrieveIdentityProviderIntent(intentFor(result, 'r-foreign', { accessToken: 'forged-access-token' }));
  t.true(outcome.created);
  t.is(zitadelUser('r-foreign')!.password, undefined);
});

test('another user\'s token gets no hash', async (t) => {
  const mine = await login(world.rp, world.bridge, 'r-other', 'Refused-other-1!');
  const theirs = await login(world.rp, world.bridge, 'r-idp', 'Refused-idp-1!');
  const outcome = await world.zitadel.double.retrieveIdentityProviderIntent(intentFor(mine, 'r-other', { accessToken: theirs.tokens.access_token, autoCreation: false }));
  t.falsy(handedHash(outcome));
});

test('a login older than the configured age gets no hash', async (t) => {
  const result = await login(world.rp, world.bridge, 'r-stale', 'Refused-stale-1!');
  await world.db.query("UPDATE migration_ledger SET last_login_at = now() - interval '1 hour' WHERE legacy_id = $1", [result.idToken.sub]);
  const outcome = await world.zitadel.double.retrieveIdentityProviderIntent(intentFor(result, 'r-stale', { autoCreation: false }));
  t.falsy(handedHash(outcome));
  t.not((await ledger().get(result.idToken.sub))?.state, 'migrated');
});

test('an intent of another IdP is left alone', async (t) => {
  const other = world.zitadel.double.addGenericOidcIdp({ name: 'someone else' });
  const result = await login(world.rp, world.bridge, 'r-idp', 'Refused-idp-1!');
  const outcome = await world.zitadel.double.retrieveIdentityProviderIntent(intentFor(result, 'r-idp', { idpId: other.id, autoCreation: false }));
  t.falsy(handedHash(outcome));
});

test('a user ZITADEL has linked already gets nothing more', async (t) => {
  const first = await world.brokeredLogin('r-linked', 'Refused-linked-1!');
  t.true(first.intent.created);
  const again = await world.brokeredLogin('r-linked', 'Refused-linked-1!');
  t.false(again.intent.created);
  t.true(again.intent.linkedBefore);
  t.is(again.intent.response.addHumanUser, undefined);
});

test('forged, tampered and stale signatures are refused with a forwarded 401', async (t) => {
  const result = await login(world.rp, world.bridge, 'r-forged', 'Refused-forged-1!');
  const envelope = {
    fullMethod: '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent',
    request: {},
    response: {
      idpInformation: { idpId: world.idpId, userId: result.idToken.sub, userName: 'r-forged', oauth: { accessToken: result.tokens.access_token } },
      addHumanUser: { username: 'r-forged', profile: { givenName: 'x', familyName: 'y' }, email: { email: 'r-forged@example.com' } },
    },
  };
  const key = world.bridge.config.zitadel.hook.signingKeys[0]!.reveal();
  for (const flaw of ['wrong-key', 'old-timestamp', 'tampered-body', 'missing', 'malformed'] as const) {
    const request = world.zitadel.double.badlySignedRequest(envelope, key, flaw);
    const response = await fetch(`${world.bridge.issuer}/hooks/zitadel/idp-intent`, { method: 'POST', body: request.body, headers: request.headers });
    t.is(response.status, 200, flaw);
    const body = (await response.json()) as { forwardedStatusCode?: number; addHumanUser?: unknown };
    t.is(body.forwardedStatusCode, 401, flaw);
    t.false(JSON.stringify(body).includes('hashedPassword'), flaw);
  }
  // The same envelope correctly signed does release the hash: the refusals were for the signatures alone.
  const good = world.zitadel.double.signedRequest(envelope, key);
  const accepted = await fetch(`${world.bridge.issuer}/hooks/zitadel/idp-intent`, { method: 'POST', body: good.body, headers: good.headers });
  t.regex(await accepted.text(), /hashedPassword/);
});

test('an oversized or garbage body is refused without a crash', async (t) => {
  const key = world.bridge.config.zitadel.hook.signingKeys[0]!.reveal();
  const big = world.zitadel.double.signedRequest({ padding: 'x'.repeat(2_000_000) }, key);
  const tooLarge = await fetch(`${world.bridge.issuer}/hooks/zitadel/idp-intent`, { method: 'POST', body: big.body, headers: big.headers });
  t.is(((await tooLarge.json()) as { forwardedStatusCode: number }).forwardedStatusCode, 413);
  const response = await fetch(`${world.bridge.issuer}/hooks/zitadel/idp-intent`, {
    method: 'POST',
    body: 'not json',
    headers: { 'content-type': 'application/json', 'ZITADEL-Signature': computeSignatureHeader('not json', key) },
  });
  t.is(((await response.json()) as { forwardedStatusCode: number }).forwardedStatusCode, 400);
  // Signed, but shaped to break whatever reads it: a method that is no string is still just not ours.
  const odd = world.zitadel.double.signedRequest({ fullMethod: { toString: 1 }, response: {} }, key);
  const strange = await fetch(`${world.bridge.issuer}/hooks/zitadel/idp-intent`, { method: 'POST', body: odd.body, headers: odd.headers });
  t.is(strange.status, 200);
  t.is(await strange.text(), '', 'an empty body: ZITADEL goes on unchanged');
});
