import test, { type ExecutionContext } from 'ava';
import type * as client from 'openid-client';
import pg from 'pg';
import { alertOf, Browser } from '../support/browser.js';
import { startTestBridge, type TestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS, storeBcrypt, type TestUser } from '../support/legacy-users.js';
import { login, startAuthorization, submitLogin, zitadelRelyingParty } from '../support/relying-party.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { GENERIC_FAILURE, THROTTLED } from '../../src/login/routes.js';

test.after.always(closeDatabases);

type Throttle = { maxFailures: number; maxFailuresPerAddress: number; windowSeconds: number };

/** A bridge behind a trusted proxy over `users` of this test's own, with these throttle limits; `suffix` makes names unique. */
async function throttledBridge(t: ExecutionContext, prefix: string, users: (suffix: string) => TestUser[], throttle: Throttle, server: object = { trustProxy: true }) {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName(prefix);
  const suffix = table.slice(-8);
  await createLegacyTable(db, table, users(suffix));
  const bridge = await startTestBridge({ db, legacy: legacySection(table), adjust: (raw) => void Object.assign(raw, { server, login: { throttle } }) });
  t.teardown(() => bridge.close());
  return { bridge, rp: await zitadelRelyingParty(bridge), suffix };
}

/** One login attempt in a browser of its own, its X-Forwarded-For header `forwardedFor`. */
async function attemptFrom(rp: client.Configuration, bridge: TestBridge, forwardedFor: string, username: string, password: string) {
  const started = await startAuthorization(rp, bridge, { browser: new Browser(bridge.issuer, { 'x-forwarded-for': forwardedFor }) });
  const { response, leftTo } = await submitLogin(started, await started.page.text(), username, password);
  return { status: response.status, alert: alertOf(await response.text()), leftTo, retryAfter: response.headers.get('retry-after') };
}

test('failed logins lock a login name, then the address; other users are unaffected', async (t) => {
  const { bridge, rp, suffix } = await throttledBridge(
    t,
    'legacy_throttle',
    (suffix) => [
      { username: `tina${suffix}`, firstName: 'Tina', lastName: 'T', password: 'tina-password', store: storeBcrypt },
      { username: `tom${suffix}`, firstName: 'Tom', lastName: 'T', password: 'tom-password', store: storeBcrypt },
    ],
    { maxFailures: 3, maxFailuresPerAddress: 6, windowSeconds: 60 },
  );
  const [tina, tom] = [`tina${suffix}`, `tom${suffix}`];
  // An address of this test alone: the counters live in this file's database, shared by its concurrent tests.
  const address = `198.51.100.${parseInt(suffix.slice(0, 2), 16)}`;
  const attempt = (username: string, password: string) => attemptFrom(rp, bridge, address, username, password);
  for (let i = 0; i < 3; i += 1) t.is((await attempt(tina, 'wrong')).status, 401);
  const locked = await attempt(tina, 'tina-password');
  t.is(locked.status, 429);
  t.is(locked.alert, THROTTLED);
  t.is(locked.leftTo, undefined);
  // Told when to come back: when the window of the failures that locked it ends (60 s from the first).
  t.regex(locked.retryAfter ?? '', /^\d+$/);
  t.true(Number(locked.retryAfter) >= 1 && Number(locked.retryAfter) <= 60, `Retry-After: ${locked.retryAfter}`);
  // Case does not get around the lock.
  t.is((await attempt(tina.toUpperCase(), 'tina-password')).status, 429);
  // Another user from the same address still gets in.
  t.truthy((await attempt(tom, 'tom-password')).leftTo);
  for (let i = 0; i < 3; i += 1) t.is((await attempt(`nobody${suffix}${i}`, 'x')).status, 401);
  // Six failures from this address: now everyone from it waits.
  t.is((await attempt(tom, 'tom-password')).status, 429);
});

test('the lock is per user, whichever login name is typed, and shows only on the name that was typed; parallel guesses get no more checks than the limit', async (t) => {
  const { bridge, rp, suffix } = await throttledBridge(
    t,
    'legacy_throttle_user',
    (suffix) =>
      ['uma', 'uli'].map((name) => ({ username: `${name}${suffix}`, email: `${name}${suffix}@example.com`, firstName: name, lastName: 'U', password: `${name}-password`, store: storeBcrypt })),
    { maxFailures: 3, maxFailuresPerAddress: 1000, windowSeconds: 60 },
  );
  const [uma, uli] = [`uma${suffix}`, `uli${suffix}`];
  // Each attempt from an address of its own, so only the per-user counter can stop them.
  let next = 1;
  const attempt = (username: string, password: string) => attemptFrom(rp, bridge, `203.0.113.${next++}`, username, password);

  // Three wrong passwords under the username lock the user under their email address too: the right
  // password no longer signs in. But that name answers as a wrong password would, as a name nobody has
  // would: a refusal there would tell that it belongs to a user (names a collation folds together, such as
  // an accent on MySQL, find the same user as aliases do).
  for (let i = 0; i < 3; i += 1) t.is((await attempt(uma, 'wrong')).status, 401);
  const alias = await attempt(`${uma}@example.com`, 'uma-password');
  t.like(alias, { status: 401, alert: GENERIC_FAILURE, leftTo: undefined, retryAfter: null });
  t.like(await attempt(`nobody-${uma}@example.com`, 'uma-password'), { status: 401, alert: GENERIC_FAILURE, retryAfter: null });
  // The name typed three times shows the lock; so does the alias once it has failed three times itself.
  t.is((await attempt(uma.toUpperCase(), 'uma-password')).status, 429);
  for (let i = 0; i < 2; i += 1) t.is((await attempt(`${uma}@example.com`, 'uma-password')).status, 401);
  t.is((await attempt(`${uma}@example.com`, 'uma-password')).status, 429);

  // Twelve wrong guesses at once: those still being checked count too, so only three are checked.
  const results = await Promise.all(Array.from({ length: 12 }, () => attempt(uli, 'wrong')));
  const statuses = results.map((result) => result.status);
  t.is(statuses.filter((status) => status === 401).length, 3, statuses.join(','));
  t.is(statuses.filter((status) => status === 429).length, 9, statuses.join(','));
  // Those stopped by attempts still under way are told to wait too.
  for (const result of results.filter((r) => r.status === 429)) t.true(Number(result.retryAfter) >= 1 && Number(result.retryAfter) <= 60, `Retry-After: ${result.retryAfter}`);
});

test('behind a proxy the address counted is the one the proxy appended, not what the client wrote before it', async (t) => {
  const { bridge, rp, suffix } = await throttledBridge(t, 'legacy_proxy', () => [], { maxFailures: 100, maxFailuresPerAddress: 3, windowSeconds: 60 }, { trustProxy: true, proxyHops: 1 });
  const proxyAdded = `198.18.${parseInt(suffix.slice(0, 2), 16)}.${parseInt(suffix.slice(2, 4), 16)}`;
  // A different made-up first entry every time, as a client dodging the throttle would send.
  const attempt = async (i: number) => (await attemptFrom(rp, bridge, `10.0.0.${i}, ${proxyAdded}`, `nobody${suffix}${i}`, 'x')).status;
  for (let i = 1; i <= 3; i += 1) t.is(await attempt(i), 401);
  t.is(await attempt(4), 429);
});

test('a login name with control characters is a failed login like any other, not an outage', async (t) => {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_control');
  await createLegacyTable(db, table, [{ username: 'nul', firstName: 'N', lastName: 'U', password: 'nul-password', store: storeBcrypt }]);
  const bridge = await startTestBridge({ db, legacy: legacySection(table) });
  t.teardown(() => bridge.close());
  const rp = await zitadelRelyingParty(bridge);
  for (const name of ['nu\u0000l', 'nu\tl', 'nu\u007fl']) {
    const started = await startAuthorization(rp, bridge);
    const { response } = await submitLogin(started, await started.page.text(), name, 'nul-password');
    t.is(response.status, 401, JSON.stringify(name));
    t.is(alertOf(await response.text()), GENERIC_FAILURE);
  }
  // The public metrics count failures under one label: the reason would tell which names exist.
  const metrics = await (await fetch(`${bridge.issuer}/metrics`)).text();
  t.regex(metrics, /legacy_bridge_logins_total\{outcome="failure"\} [1-9]/);
  t.notRegex(metrics, /outcome="(unknown-user|wrong-password|disabled)"/);
});

const legacyUrl = process.env.LEGACY_DATABASE_URL;
// The outage needs a PostgreSQL server to take away (CI sets LEGACY_DATABASE_URL); the embedded database
// lives inside the process and cannot go down on its own.
(legacyUrl ? test : test.skip)('a legacy database outage answers 503 "temporarily unavailable", and logins work again once it is back', async (t) => {
  const url = new URL(legacyUrl!);
  const admin = new pg.Pool({ connectionString: legacyUrl!, max: 1 });
  const table = uniqueTableName('legacy_outage');
  await createLegacyTable(admin, table, STANDARD_USERS);
  const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
  await proxy.start();
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  const bridge = await startTestBridge({
    db: await bridgeDatabaseForE2E(),
    legacy: legacySection(table, { url: url.href, connectTimeoutMs: 1000, queryTimeoutMs: 2000 }),
  });
  t.teardown(async () => {
    await bridge.close();
    await proxy.stop();
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });
  const rp = await zitadelRelyingParty(bridge);
  t.truthy((await login(rp, bridge, 'alice', 'wonderland')).idToken.sub);

  await proxy.cut();
  const started = await startAuthorization(rp, bridge);
  const { response } = await submitLogin(started, await started.page.text(), 'alice', 'wonderland');
  t.is(response.status, 503);
  t.regex(await response.text(), /temporarily unavailable/i);
  const ready = await fetch(`${bridge.issuer}/readyz`);
  t.is(ready.status, 503);
  t.is(((await ready.json()) as { legacyDatabase: string }).legacyDatabase, 'unavailable');

  await proxy.restore();
  const result = await login(rp, bridge, 'alice', 'wonderland');
  t.is(result.userinfo.given_name, 'Alice');
  t.is((await fetch(`${bridge.issuer}/readyz`)).status, 200);
});

test('health answers without touching the databases; readiness checks both', async (t) => {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_health');
  await createLegacyTable(db, table, []);
  const bridge = await startTestBridge({ db, legacy: legacySection(table) });
  t.teardown(() => bridge.close());
  t.deepEqual(await (await fetch(`${bridge.issuer}/healthz`)).json(), { status: 'ok' });
  const ready = await fetch(`${bridge.issuer}/readyz`);
  t.is(ready.status, 200);
  const metrics = await (await fetch(`${bridge.issuer}/metrics`)).text();
  t.regex(metrics, /legacy_bridge_logins_total/);
});
