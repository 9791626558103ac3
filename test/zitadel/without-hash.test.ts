import test from 'ava';
import { closeDatabases } from '../support/databases.js';
import type { MigrationWorld } from '../support/migration-world.js';
import { LONG_PASSWORD, startWorldWithoutHash } from './without-hash-world.js';

// withoutHash `reset`: the user ZITADEL gets without a password is sent a reset link.

let world: MigrationWorld;

test.before(async () => {
  world = await startWorldWithoutHash('reset');
});

test.after.always(async () => {
  await world?.close();
  await closeDatabases();
});

test('no importable hash: ZITADEL creates the user without a password, and migrate retry sends the reset link', async (t) => {
  t.true(Buffer.byteLength(LONG_PASSWORD) > 72);
  const { intent, login } = await world.brokeredLogin('lena', LONG_PASSWORD);
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
