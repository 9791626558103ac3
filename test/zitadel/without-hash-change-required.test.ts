import test from 'ava';
import { closeDatabases } from '../support/databases.js';
import type { MigrationWorld } from '../support/migration-world.js';
import { LONG_PASSWORD, startWorldWithoutHash } from './without-hash-world.js';
import { errorKey } from '../support/zitadel/index.js';

// withoutHash `changeRequired`: no reset link is sent, ever; the user has no password, so ZITADEL's own
// password check says "not set" and has them set one at their first sign-in with a password.

let world: MigrationWorld;

test.before(async () => {
  world = await startWorldWithoutHash('changeRequired');
});

test.after.always(async () => {
  await world?.close();
  await closeDatabases();
});

test('changeRequired: the user arrives without a password, is migrated, and gets no reset link', async (t) => {
  const { intent, login } = await world.brokeredLogin('lena', LONG_PASSWORD);
  t.true(intent.created);
  const user = [...world.zitadel.double.state.users.values()].find((u) => u.username === 'lena')!;
  t.is(user.password, undefined);
  const error = await t.throwsAsync(world.zitadel.double.checkPassword(user.id, LONG_PASSWORD));
  t.is(errorKey(error), 'Errors.User.Password.NotSet');
  t.is((await world.bridge.migration.entry(login.idToken.sub))?.state, 'migrated');
  const report = await world.bridge.migration.retry();
  t.deepEqual(report.failed, []);
  t.false(world.zitadel.double.state.passwordResets.some((reset) => reset.userId === user.id));
});
