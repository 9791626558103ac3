import test from 'ava';
import bcrypt from 'bcrypt';
import { closeDatabases } from '../support/databases.js';
import { ledgerOf, startMigrationWorld, type MigrationWorld } from '../support/migration-world.js';
import { login, type CompletedLogin } from '../support/relying-party.js';

// A user ZITADEL never created comes back through the bridge's session: a password login is asked for, so
// the hook has a password to hand over. (A world of its own: worlds in one file share the ledger.)

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

test('a user whose ZITADEL account was never created is asked for the password again, instead of passing through the bridge\'s session without one', async (t) => {
  const world = await startMigrationWorld({
    users: [{ username: 'sso', email: 'sso@example.com', firstName: 'Sam', lastName: 'Session', password: 'Session-Passw0rd!', store: bcrypt10 }],
    schemes: ['bcrypt'],
    verifiers: [],
  });
  t.teardown(() => world.close());
  const first = await login(world.rp, world.bridge, 'sso', 'Session-Passw0rd!');
  await intent(world, first, 'sso', false);
  await windowPasses(world, first.idToken.sub);
  const logins = (await ledgerOf(world).get(first.idToken.sub))!.logins;
  // The same browser, its session at the bridge still valid: the password is asked for all the same.
  const again = await login(world.rp, world.bridge, 'sso', 'Session-Passw0rd!', { browser: first.browser });
  t.is((await ledgerOf(world).get(first.idToken.sub))!.logins, logins + 1, 'a password login, not single sign-on');
  const created = await intent(world, again, 'sso');
  t.true(created.created);
  t.true(await world.zitadel.double.checkPassword('sso', 'Session-Passw0rd!'));
  // Once ZITADEL confirms the user, single sign-on at the bridge is back.
  const linked = await login(world.rp, world.bridge, 'sso', 'not asked', { browser: first.browser });
  await intent(world, linked, 'sso');
  await windowPasses(world, first.idToken.sub);
  const sso = await login(world.rp, world.bridge, 'sso', 'not asked: the session answers', { browser: first.browser });
  t.is(sso.idToken.sub, first.idToken.sub);
});
