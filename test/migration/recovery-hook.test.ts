import test from 'ava';
import bcrypt from 'bcrypt';
import { writeLdapSsha } from '../../src/passwords/index.js';
import { closeDatabases } from '../support/databases.js';
import { ledgerOf, startMigrationWorld, zitadelUserOf, type MigrationWorld } from '../support/migration-world.js';
import { login, type CompletedLogin } from '../support/relying-party.js';

// ZITADEL's user creation failed after the hook had answered: the next login hands the password over again,
// and ZITADEL's word that it holds the user (linked) confirms the hand-off.

const bcrypt10 = async (password: string) => ({ hash: (await bcrypt.hash(password, 10)).replace(/^\$2b\$/, '$2y$') });
const intent = (world: MigrationWorld, done: CompletedLogin, username: string, autoCreation = true) =>
  world.zitadel.double.retrieveIdentityProviderIntent({
    idpId: world.idpId,
    idpUserId: done.idToken.sub,
    idpUserName: username,
    rawInformation: done.userinfo as never,
    accessToken: done.tokens.access_token,
    autoCreation,
  });
/** Time passes: the login is older than the hook accepts, and the cleanup has erased the released hash. */
const windowPasses = (world: MigrationWorld, legacyId: string) =>
  world.db.query("UPDATE migration_ledger SET last_login_at = now() - interval '1 hour', pending_hash = NULL, pending_expires_at = NULL WHERE legacy_id = $1", [legacyId]);

test.after.always(closeDatabases);

test('ZITADEL failed to create a user the hook handed over: at the next password login it gets the password, and the hook confirms the user once linked', async (t) => {
  const world = await startMigrationWorld({
    users: [
      { username: 'nina', email: 'nina@example.com', firstName: 'Nina', lastName: 'Native', password: 'Native-Passw0rd!', store: bcrypt10 },
      { username: 'rita', email: 'rita@example.com', firstName: 'Rita', lastName: 'Rehash', password: 'Rehash-Passw0rd!', store: async (p) => ({ hash: writeLdapSsha(p) }) },
    ],
    schemes: ['bcrypt', 'ldap-ssha'],
    verifiers: ['argon2'],
  });
  t.teardown(() => world.close());
  for (const [username, password] of [['nina', 'Native-Passw0rd!'], ['rita', 'Rehash-Passw0rd!']] as const) {
    const first = await login(world.rp, world.bridge, username, password);
    const legacyId = first.idToken.sub;
    const failed = await intent(world, first, username, false);
    t.is(failed.response.addHumanUser?.passwordType.case, 'hashedPassword', 'the hook answered');
    t.falsy(zitadelUserOf(world, username), 'but ZITADEL created nobody');
    await windowPasses(world, legacyId);

    const second = await login(world.rp, world.bridge, username, password);
    const created = await intent(world, second, username);
    t.true(created.created);
    t.true(await world.zitadel.double.checkPassword(username, password), `${username} has the legacy password in ZITADEL`);
    t.false((await ledgerOf(world).get(legacyId))!.confirmed, 'handed over, not yet confirmed');

    // The user comes back through the IdP: ZITADEL finds the link and says whose it is.
    const third = await login(world.rp, world.bridge, username, password);
    const linked = await intent(world, third, username);
    t.false(linked.created);
    const entry = (await ledgerOf(world).get(legacyId))!;
    t.true(entry.confirmed);
    t.is(entry.zitadelUserId, created.userId);
    t.false(entry.hasPendingHash);
  }
});

