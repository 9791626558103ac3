import test, { type ExecutionContext } from 'ava';
import { closeDatabases } from '../support/databases.js';
import { intentAfter, ledgerOf, loginWindowPasses, startMigrationWorld, storePhpBcrypt10, zitadelUserOf } from '../support/migration-world.js';
import { login, startAuthorization } from '../support/relying-party.js';

// A migrated user deleted in ZITADEL (an administrator redoing them) and coming back through the IdP: ZITADEL
// creates them again, and must get their password, not a user without one the ledger thinks is complete.

test.after.always(closeDatabases);

const PASSWORD = 'Dora-Passw0rd!';

/** A world whose one user migrated through the hook and came back through the IdP: confirmed in the ledger. */
async function confirmedUser(t: ExecutionContext, username: string) {
  const world = await startMigrationWorld({
    users: [{ username, email: `${username}@example.com`, firstName: username, lastName: 'Gone', password: PASSWORD, store: storePhpBcrypt10 }],
    schemes: ['bcrypt'],
    verifiers: [],
  });
  t.teardown(() => world.close());
  const { login: first } = await world.brokeredLogin(username, PASSWORD);
  const legacyId = first.idToken.sub;
  // Back through the IdP: ZITADEL names the linked user, and the hand-off is confirmed.
  await intentAfter(world, await login(world.rp, world.bridge, username, PASSWORD, { browser: first.browser }), username);
  t.true((await ledgerOf(world).get(legacyId))!.confirmed);
  return { world, browser: first.browser, legacyId, zitadelUser: zitadelUserOf(world, username)! };
}

test('a migrated user deleted in ZITADEL is not created again without a password: the next sign-in is a password login, whose hash goes with the creation', async (t) => {
  const { world, browser, legacyId, zitadelUser } = await confirmedUser(t, 'dora');
  const deleted = zitadelUser.id;

  world.zitadel.double.state.users.delete(deleted);
  await loginWindowPasses(world, legacyId);
  // Single sign-on at the bridge still answers; ZITADEL, holding nobody, creates the user: refused.
  const sso = await login(world.rp, world.bridge, 'dora', 'not asked', { browser: browser });
  await t.throwsAsync(intentAfter(world, sso, 'dora'), { message: /sign in again/ });
  t.falsy(zitadelUserOf(world, 'dora'), 'not created without a password');
  const forgotten = (await ledgerOf(world).get(legacyId))!;
  t.like(forgotten, { state: 'failed', confirmed: false, zitadelUserId: null });

  // The next sign-in asks for the password, and ZITADEL creates the user with it.
  const again = await startAuthorization(world.rp, world.bridge, { browser: browser });
  t.is(again.leftTo, undefined, 'a password login, not single sign-on');
  const created = await intentAfter(world, await login(world.rp, world.bridge, 'dora', PASSWORD, { browser: browser }), 'dora');
  t.true(created.created);
  t.true(await world.zitadel.double.checkPassword('dora', PASSWORD));
  t.is((await ledgerOf(world).get(legacyId))!.state, 'migrated');
});

test('a linked user other than the one noted (created again without the bridge) is noted, and migrate retry completes its hand-off', async (t) => {
  const { world, browser, legacyId, zitadelUser: old } = await confirmedUser(t, 'remy');
  // Replaced behind the bridge's back: same link, a new id, no password.
  world.zitadel.double.state.users.delete(old.id);
  world.zitadel.double.state.users.set('replacement-id', { ...old, id: 'replacement-id', password: undefined } as typeof old);

  await intentAfter(world, await login(world.rp, world.bridge, 'remy', PASSWORD, { browser: browser }), 'remy');
  const noted = (await ledgerOf(world).get(legacyId))!;
  t.like(noted, { state: 'failed', zitadelUserId: 'replacement-id', confirmed: false });
  const report = await world.bridge.migration.retry();
  t.is(report.completed, 1, JSON.stringify(report));
  t.true(await world.zitadel.double.checkPassword('remy', PASSWORD), 'the legacy hash, set on the new user');
  t.like((await ledgerOf(world).get(legacyId))!, { state: 'migrated', zitadelUserId: 'replacement-id' });
});
