import test from 'ava';
import { writeLdapSsha } from '../../src/passwords/index.js';
import { closeDatabases } from '../support/databases.js';
import { startMigrationWorld, type MigrationWorld } from '../support/migration-world.js';

// ZITADEL with only its default verifier (bcrypt), and a password longer than bcrypt's 72 bytes stored as
// {SSHA}: nothing ZITADEL imports can hold it, so the user arrives without a password, and gets a reset link.
const LONG = `${'correct horse battery staple '.repeat(3)}and more`;

let world: MigrationWorld;

test.before(async () => {
  world = await startMigrationWorld({
    users: [{ username: 'lena', email: 'lena@example.com', firstName: 'Lena', lastName: 'Long', password: LONG, store: async (p) => ({ hash: writeLdapSsha(p) }) }],
    schemes: ['ldap-ssha'],
    verifiers: [],
    zitadel: { withoutHash: 'reset' },
  });
});

test.after.always(async () => {
  await world?.close();
  await closeDatabases();
});

test('no importable hash: ZITADEL creates the user without a password, and migrate retry sends the reset link', async (t) => {
  t.true(Buffer.byteLength(LONG) > 72);
  const { intent, login } = await world.brokeredLogin('lena', LONG);
  t.true(intent.created);
  const user = [...world.zitadel.double.state.users.values()].find((u) => u.username === 'lena')!;
  t.is(user.password, undefined);
  const before = await world.bridge.migration.entry(login.idToken.sub);
  t.is(before?.handoff, 'none');
  t.is(before?.state, 'failed');
  t.regex(before?.failureReason ?? '', /password reset/);
  const report = await world.bridge.migration.retry();
  t.false(report.failed.some((failure) => failure.legacyId === login.idToken.sub), JSON.stringify(report.failed));
  t.true(world.zitadel.double.state.passwordResets.some((reset) => reset.userId === user.id && reset.medium === 'sendLink'));
  t.is((await world.bridge.migration.entry(login.idToken.sub))?.state, 'migrated');
});
