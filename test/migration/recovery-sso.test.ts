import test from 'ava';
import { closeDatabases } from '../support/databases.js';
import { intentAfter, ledgerOf, loginWindowPasses, startMigrationWorld, storePhpBcrypt10 } from '../support/migration-world.js';
import { login } from '../support/relying-party.js';

// A user ZITADEL never created comes back through the bridge's session: a password login is asked for, so
// the hook has a password to hand over. (A world of its own: worlds in one file share the ledger.)

test.after.always(closeDatabases);

test('a user whose ZITADEL account was never created is asked for the password again, instead of passing through the bridge\'s session without one', async (t) => {
  const world = await startMigrationWorld({
    users: [{ username: 'sso', email: 'sso@example.com', firstName: 'Sam', lastName: 'Session', password: 'Session-Passw0rd!', store: storePhpBcrypt10 }],
    schemes: ['bcrypt'],
    verifiers: [],
  });
  t.teardown(() => world.close());
  const first = await login(world.rp, world.bridge, 'sso', 'Session-Passw0rd!');
  await intentAfter(world, first, 'sso', false);
  await loginWindowPasses(world, first.idToken.sub);
  const logins = (await ledgerOf(world).get(first.idToken.sub))!.logins;
  // The same browser, its session at the bridge still valid: the password is asked for all the same.
  const again = await login(world.rp, world.bridge, 'sso', 'Session-Passw0rd!', { browser: first.browser });
  t.is((await ledgerOf(world).get(first.idToken.sub))!.logins, logins + 1, 'a password login, not single sign-on');
  const created = await intentAfter(world, again, 'sso');
  t.true(created.created);
  t.true(await world.zitadel.double.checkPassword('sso', 'Session-Passw0rd!'));
  // Once ZITADEL confirms the user, single sign-on at the bridge is back.
  const linked = await login(world.rp, world.bridge, 'sso', 'not asked', { browser: first.browser });
  await intentAfter(world, linked, 'sso');
  await loginWindowPasses(world, first.idToken.sub);
  const sso = await login(world.rp, world.bridge, 'sso', 'not asked: the session answers', { browser: first.browser });
  t.is(sso.idToken.sub, first.idToken.sub);
});
