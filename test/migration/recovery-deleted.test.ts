import test from 'ava';
import { closeDatabases } from '../support/databases.js';
import { intentAfter, ledgerOf, loginWindowPasses, startMigrationWorld, storePhpBcrypt10, zitadelUserOf } from '../support/migration-world.js';
import { login, startAuthorization } from '../support/relying-party.js';

// A migrated user deleted in ZITADEL (an administrator redoing them) and coming back through the IdP: ZITADEL
// creates them again, and must get their password, not a user without one the ledger thinks is complete.

test.after.always(closeDatabases);

const PASSWORD = 'Dora-Passw0rd!';

test('a migrated user deleted in ZITADEL is not created again without a password: the next sign-in is a password login, whose hash goes with the creation', async (t) => {
  const world = await startMigrationWorld({
    users: [{ username: 'dora', email: 'dora@example.com', firstName: 'Dora', lastName: 'Deleted', password: PASSWORD, store: storePhpBcrypt10 }],
    schemes: ['bcrypt'],
    verifiers: [],
  });
  t.teardown(() => world.close());
  const first = await world.brokeredLogin('dora', PASSWORD);
  const legacyId = first.login.idToken.sub;
  // Back through the IdP: ZITADEL names the linked user, and the hand-off is confirmed.
  await intentAfter(world, await login(world.rp, world.bridge, 'dora', PASSWORD, { browser: first.login.browser }), 'dora');
  const deleted = zitadelUserOf(world, 'dora')!.id;
  t.true((await ledgerOf(world).get(legacyId))!.confirmed);

  world.zitadel.double.state.users.delete(deleted);
  await loginWindowPasses(world, legacyId);
  // Single sign-on at the bridge still answers; ZITADEL, holding nobody, creates the user: refused.
  const sso = await login(world.rp, world.bridge, 'dora', 'not asked', { browser: first.login.browser });
  await t.throwsAsync(intentAfter(world, sso, 'dora'), { message: /sign in again/ });
  t.falsy(zitadelUserOf(world, 'dora'), 'not created without a password');
  const forgotten = (await ledgerOf(world).get(legacyId))!;
  t.like(forgotten, { state: 'failed', confirmed: false, zitadelUserId: null });

  // The next sign-in asks for the password, and ZITADEL creates the user with it.
  const again = await startAuthorization(world.rp, world.bridge, { browser: first.login.browser });
  t.is(again.leftTo, undefined, 'a password login, not single sign-on');
  const created = await intentAfter(world, await login(world.rp, world.bridge, 'dora', PASSWORD, { browser: first.login.browser }), 'dora');
  t.true(created.created);
  t.true(await world.zitadel.double.checkPassword('dora', PASSWORD));
  t.is((await ledgerOf(world).get(legacyId))!.state, 'migrated');
});

test('a linked user other than the one noted (created again without the bridge) is noted, and migrate retry completes its hand-off', async (t) => {
  const world = await startMigrationWorld({
    users: [{ username: 'remy', email: 'remy@example.com', firstName: 'Remy', lastName: 'Replaced', password: PASSWORD, store: storePhpBcrypt10 }],
    schemes: ['bcrypt'],
    verifiers: [],
  });
  t.teardown(() => world.close());
  const first = await world.brokeredLogin('remy', PASSWORD);
  const legacyId = first.login.idToken.sub;
  await intentAfter(world, await login(world.rp, world.bridge, 'remy', PASSWORD, { browser: first.login.browser }), 'remy');
  const old = zitadelUserOf(world, 'remy')!;
  // Replaced behind the bridge's back: same link, a new id, no password.
  world.zitadel.double.state.users.delete(old.id);
  world.zitadel.double.state.users.set('replacement-id', { ...old, id: 'replacement-id', password: undefined } as typeof old);

  await intentAfter(world, await login(world.rp, world.bridge, 'remy', PASSWORD, { browser: first.login.browser }), 'remy');
  const noted = (await ledgerOf(world).get(legacyId))!;
  t.like(noted, { state: 'failed', zitadelUserId: 'replacement-id', confirmed: false });
  const report = await world.bridge.migration.retry();
  t.is(report.completed, 1, JSON.stringify(report));
  t.true(await world.zitadel.double.checkPassword('remy', PASSWORD), 'the legacy hash, set on the new user');
  t.like((await ledgerOf(world).get(legacyId))!, { state: 'migrated', zitadelUserId: 'replacement-id' });
});
