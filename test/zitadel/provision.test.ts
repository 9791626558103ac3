import test from 'ava';
import bcrypt from 'bcrypt';
import { closeDatabases } from '../support/databases.js';
import type { TestUser } from '../support/legacy-users.js';
import { startMigrationWorld, type MigrationWorld } from '../support/migration-world.js';
import { login } from '../support/relying-party.js';
import { byFormat, loadVectors, wrongPassword } from '../passwords/support/vectors.js';
import { createZitadelApi } from '../../src/zitadel/api.js';

// Provisioning before the redirect: no actions at all, works with both login UIs. Serial: one test takes
// ZITADEL away.
const vectors = byFormat(loadVectors());
const ssha = vectors.get('ldap-ssha')!.find((v) => v.expect)!;
const django = vectors.get('django-pbkdf2-sha256')!.find((v) => v.expect && !/\$(26|36)0000\$/.test(v.hash))!;
const bcrypt10 = async (password: string) => ({ hash: await bcrypt.hash(password, 10) });
const person = (username: string, password: string, store = bcrypt10): TestUser => ({
  username,
  email: `${username}@example.com`,
  firstName: username,
  lastName: 'Provisioned',
  password,
  store,
});

const users: TestUser[] = [
  person('pia', 'Pia-Passw0rd!'),
  person('ldap', ssha.password, async () => ({ hash: ssha.hash })),
  person('django', django.password, async () => ({ hash: django.hash })),
  person('taken', 'Taken-Passw0rd!'),
  person('outage', 'Outage-Passw0rd!'),
  person('crash', 'Crash-Passw0rd!'),
  person('crash2', 'Crash2-Passw0rd!'),
];

let world: MigrationWorld;

test.before(async () => {
  world = await startMigrationWorld({
    users,
    schemes: ['bcrypt', 'ldap-ssha', 'django-pbkdf2-sha256'],
    verifiers: ['argon2', 'pbkdf2'],
    legacy: { markMigrated: 'UPDATE LEGACY_TABLE SET locale = $2 WHERE id = $1' },
    hook: false,
    proxy: true,
    zitadel: { provision: { enabled: true } },
  });
});

test.after.always(async () => {
  await world?.close();
  await closeDatabases();
});

const zitadelUsers = (username: string) => [...world.zitadel.double.state.users.values()].filter((u) => u.username === username);

for (const [username, password, prefix] of [
  ['pia', 'Pia-Passw0rd!', '$2b$10$'],
  ['ldap', ssha.password, '$argon2id$'],
  ['django', django.password, '$pbkdf2-sha256$'],
] as const) {
  test.serial(`${username}: the login creates the user in ZITADEL with its password, linked, before the redirect`, async (t) => {
    const result = await login(world.rp, world.bridge, username, password);
    const [user, ...more] = zitadelUsers(username);
    t.is(more.length, 0);
    t.true(user!.password!.encoded.startsWith(prefix));
    t.deepEqual(user!.idpLinks, [{ idpId: world.idpId, userId: result.idToken.sub, userName: username }]);
    t.true(await world.zitadel.double.checkPassword(username, password));
    t.false(await world.zitadel.double.checkPassword(username, wrongPassword(password)));
    // ZITADEL's callback then finds the user by the link and creates nobody.
    const intent = await world.zitadel.double.retrieveIdentityProviderIntent({
      idpId: world.idpId,
      idpUserId: result.idToken.sub,
      idpUserName: username,
      rawInformation: result.userinfo as never,
      accessToken: result.tokens.access_token,
    });
    t.true(intent.linkedBefore);
    t.false(intent.created);
    const entry = await world.bridge.migration.entry(result.idToken.sub);
    t.is(entry?.state, 'migrated');
    t.is(entry?.method, 'provision');
    t.is(entry?.zitadelUserId, user!.id);
    // The configured flag statement ran against the legacy table (here it writes the ZITADEL id into a column).
    const { rows } = await world.db.query<{ locale: string }>(`SELECT locale FROM ${world.table} WHERE id = $1`, [Number(result.idToken.sub)]);
    t.is(rows[0]!.locale, user!.id);
  });
}

test.serial('a username taken in ZITADEL by someone else is refused, and the login still completes', async (t) => {
  const api = createZitadelApi({ url: world.zitadel.double.url, pat: world.zitadel.double.pat, organizationId: world.zitadel.double.defaultOrgId, idpId: world.idpId, timeoutMs: 5000, retries: 0 });
  await api.createUser({ legacyId: 'someone-else', username: 'taken', givenName: 'Other', familyName: 'Person', email: 'other@example.com', emailVerified: true, metadata: [] });
  const linkless = zitadelUsers('taken')[0]!;
  linkless.idpLinks.length = 0;
  const result = await login(world.rp, world.bridge, 'taken', 'Taken-Passw0rd!');
  t.truthy(result.tokens.access_token, 'the user still signs in');
  t.is(zitadelUsers('taken').length, 1);
  t.is(zitadelUsers('taken')[0]!.password, undefined, 'the other user\'s password is untouched');
  const report = await world.bridge.migration.retry();
  t.true(report.failed.some((f) => f.legacyId === result.idToken.sub));
});

test.serial('ZITADEL unreachable: the login completes, and migrate retry hands the hash over once it is back', async (t) => {
  await world.zitadelProxy!.cut();
  const result = await login(world.rp, world.bridge, 'outage', 'Outage-Passw0rd!');
  t.truthy(result.tokens.access_token);
  t.is(zitadelUsers('outage').length, 0);
  await world.zitadelProxy!.restore();
  const report = await world.bridge.migration.retry();
  t.false(report.failed.some((f) => f.legacyId === result.idToken.sub), JSON.stringify(report.failed));
  t.is(zitadelUsers('outage').length, 1);
  t.true(await world.zitadel.double.checkPassword('outage', 'Outage-Passw0rd!'));
});

test.serial('stopped between "created in ZITADEL" and "ledger updated": the next login completes it without a duplicate', async (t) => {
  // What a crash leaves behind: ZITADEL has the user (with the link, without the hash), the ledger knows nothing.
  const sub = world.ids.get('crash')!;
  const api = createZitadelApi({ url: world.zitadel.double.url, pat: world.zitadel.double.pat, organizationId: world.zitadel.double.defaultOrgId, idpId: world.idpId, timeoutMs: 5000, retries: 0 });
  await api.createUser({ legacyId: sub, username: 'crash', givenName: 'crash', familyName: 'Provisioned', email: 'crash@example.com', emailVerified: true, metadata: [] });
  t.is(zitadelUsers('crash')[0]!.password, undefined);
  await login(world.rp, world.bridge, 'crash', 'Crash-Passw0rd!');
  t.is(zitadelUsers('crash').length, 1, 'no second user');
  t.true(await world.zitadel.double.checkPassword('crash', 'Crash-Passw0rd!'));
});

test.serial('stopped mid-way, then migrate retry: it finds the user by its link and completes it, no duplicate', async (t) => {
  // The create reached ZITADEL but its answer never came back (the bridge saw a failure and noted it).
  await world.zitadelProxy!.cut();
  const result = await login(world.rp, world.bridge, 'crash2', 'Crash2-Passw0rd!');
  await world.zitadelProxy!.restore();
  const api = createZitadelApi({ url: world.zitadel.double.url, pat: world.zitadel.double.pat, organizationId: world.zitadel.double.defaultOrgId, idpId: world.idpId, timeoutMs: 5000, retries: 0 });
  await api.createUser({ legacyId: result.idToken.sub, username: 'crash2', givenName: 'crash2', familyName: 'Provisioned', email: 'crash2@example.com', emailVerified: true, metadata: [] });
  const report = await world.bridge.migration.retry();
  t.false(report.failed.some((f) => f.legacyId === result.idToken.sub));
  t.is(zitadelUsers('crash2').length, 1, 'no second user');
  t.true(await world.zitadel.double.checkPassword('crash2', 'Crash2-Passw0rd!'));
});
