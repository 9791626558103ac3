import test, { type ExecutionContext } from 'ava';
import { closeDatabases } from '../support/databases.js';
import { zitadelUserOf, type MigrationWorld } from '../support/migration-world.js';
import { login as bridgeLogin } from '../support/relying-party.js';
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

/** `migrate retry` finishes the user: the reset link goes out, and the ledger says migrated. */
async function retrySendsTheLink(t: ExecutionContext, legacyId: string, zitadelUserId: string): Promise<void> {
  const report = await world.bridge.migration.retry();
  t.false(report.failed.some((failure) => failure.legacyId === legacyId), JSON.stringify(report.failed));
  t.true(world.zitadel.double.state.passwordResets.some((reset) => reset.userId === zitadelUserId && reset.medium === 'sendLink'));
  t.is((await world.bridge.migration.entry(legacyId))?.state, 'migrated');
}

// Serial: `migrate retry` finishes every user in the ledger, so one test's retry would finish the other's user.
test.serial('no importable hash: ZITADEL creates the user without a password, and migrate retry sends the reset link', async (t) => {
  t.true(Buffer.byteLength(LONG_PASSWORD) > 72);
  const { intent, login } = await world.brokeredLogin('lena', LONG_PASSWORD);
  t.true(intent.created);
  const user = zitadelUserOf(world, 'lena')!;
  t.is(user.password, undefined);
  const before = await world.bridge.migration.entry(login.idToken.sub);
  t.is(before?.handoff, 'none');
  t.is(before?.state, 'failed');
  t.regex(before?.failureReason ?? '', /password reset/);
  await retrySendsTheLink(t, login.idToken.sub, user.id);
});

test.serial('a login at the bridge before migrate retry ran keeps the reset due: the link still goes out', async (t) => {
  const { intent, login } = await world.brokeredLogin('lars', LONG_PASSWORD);
  t.true(intent.created);
  const user = zitadelUserOf(world, 'lars')!;
  t.is(user.password, undefined);
  // The user comes back to the bridge (ZITADEL still federates to it) before the operator's retry.
  await bridgeLogin(world.rp, world.bridge, 'lars', LONG_PASSWORD);
  const entry = await world.bridge.migration.entry(login.idToken.sub);
  t.is(entry?.logins, 2);
  t.is(entry?.state, 'failed');
  t.regex(entry?.failureReason ?? '', /password reset/);
  await retrySendsTheLink(t, login.idToken.sub, user.id);
});
