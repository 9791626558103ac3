import test from 'ava';
import { writeLdapSsha } from '../../src/passwords/index.js';
import { closeDatabases } from '../support/databases.js';
import { intentAfter, ledgerOf, loginWindowPasses, startMigrationWorld, storePhpBcrypt10, zitadelUserOf } from '../support/migration-world.js';
import { login } from '../support/relying-party.js';

// ZITADEL's user creation failed after the hook had answered: the next login hands the password over again,
// and ZITADEL's word that it holds the user (linked) confirms the hand-off.

test.after.always(closeDatabases);

test('ZITADEL failed to create a user the hook handed over: at the next password login it gets the password, and the hook confirms the user once linked', async (t) => {
  const world = await startMigrationWorld({
    users: [
      { username: 'nina', email: 'nina@example.com', firstName: 'Nina', lastName: 'Native', password: 'Native-Passw0rd!', store: storePhpBcrypt10 },
      { username: 'rita', email: 'rita@example.com', firstName: 'Rita', lastName: 'Rehash', password: 'Rehash-Passw0rd!', store: async (p) => ({ hash: writeLdapSsha(p) }) },
    ],
    schemes: ['bcrypt', 'ldap-ssha'],
    verifiers: ['argon2'],
  });
  t.teardown(() => world.close());
  for (const [username, password] of [['nina', 'Native-Passw0rd!'], ['rita', 'Rehash-Passw0rd!']] as const) {
    const first = await login(world.rp, world.bridge, username, password);
    const legacyId = first.idToken.sub;
    const failed = await intentAfter(world, first, username, false);
    t.is(failed.response.addHumanUser?.passwordType.case, 'hashedPassword', 'the hook answered');
    t.falsy(zitadelUserOf(world, username), 'but ZITADEL created nobody');
    await loginWindowPasses(world, legacyId);

    const second = await login(world.rp, world.bridge, username, password);
    const created = await intentAfter(world, second, username);
    t.true(created.created);
    t.true(await world.zitadel.double.checkPassword(username, password), `${username} has the legacy password in ZITADEL`);
    t.false((await ledgerOf(world).get(legacyId))!.confirmed, 'handed over, not yet confirmed');

    // The user comes back through the IdP: ZITADEL finds the link and says whose it is.
    const third = await login(world.rp, world.bridge, username, password);
    const linked = await intentAfter(world, third, username);
    t.false(linked.created);
    const entry = (await ledgerOf(world).get(legacyId))!;
    t.true(entry.confirmed);
    t.is(entry.zitadelUserId, created.userId);
    t.false(entry.hasPendingHash);
  }
});

