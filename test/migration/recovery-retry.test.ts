import test from 'ava';
import { LegacyUnavailableError, type LegacyDirectory, type LegacyUser } from '../../src/legacy/directory.js';
import { Ledger, RESET_DUE } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import { MigrationService } from '../../src/migration/service.js';
import { createLogger } from '../../src/server/logger.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import type { ZitadelApi } from '../../src/zitadel/api.js';
import type { Provisioner } from '../../src/zitadel/provision.js';
import { closeDatabases } from '../support/databases.js';
import { ledgerOf, startMigrationWorld, storePhpBcrypt10, zitadelUserOf } from '../support/migration-world.js';
import { login } from '../support/relying-party.js';

// What `migrate retry` and the hook must not do on their way to finishing a hand-off.

test.after.always(closeDatabases);

test('migrate retry neither creates a user disabled since their login nor replaces a password set in ZITADEL since, and gets past a ZITADEL user deleted since', async (t) => {
  const users = [
    { username: 'leaver', email: 'leaver@example.com', firstName: 'Lea', lastName: 'Ver', password: 'Leaver-Passw0rd!', store: storePhpBcrypt10 },
    { username: 'mia', email: 'mia@example.com', firstName: 'Mia', lastName: 'Changed', password: 'Legacy-Passw0rd!', store: storePhpBcrypt10 },
    { username: 'gone', email: 'gone@example.com', firstName: 'Gone', lastName: 'Deleted', password: 'Gone-Passw0rd!', store: storePhpBcrypt10 },
  ];
  const world = await startMigrationWorld({
    users,
    schemes: ['bcrypt'],
    verifiers: [],
    hook: false,
    proxy: true,
    zitadel: { provision: { enabled: true }, retries: 0, timeoutMs: 2000 },
    legacy: { claimsCacheSeconds: 0 },
  });
  t.teardown(() => world.close());

  // ZITADEL is away at the login; the legacy user is disabled before the retry.
  await world.zitadelProxy!.cut();
  const leaver = await login(world.rp, world.bridge, 'leaver', 'Leaver-Passw0rd!');
  await world.zitadelProxy!.restore();
  await world.db.query(`UPDATE ${world.table} SET active = false WHERE id = $1`, [Number(leaver.idToken.sub)]);

  // Provisioned at login; then the bridge stops before noting it, and the user changes the password in ZITADEL.
  const mia = await login(world.rp, world.bridge, 'mia', 'Legacy-Passw0rd!');
  const created = zitadelUserOf(world, 'mia')!;
  await world.db.query("UPDATE migration_ledger SET state = 'failed', failure_reason = 'stopped', zitadel_user_id = NULL WHERE legacy_id = $1", [mia.idToken.sub]);
  await world.zitadel.users.setPassword({ userId: created.id, newPassword: { password: 'New-Zitadel-Passw0rd!', changeRequired: false } });

  const report = await world.bridge.migration.retry();
  t.falsy(zitadelUserOf(world, 'leaver'), 'no ZITADEL user for a disabled legacy user');
  t.regex(report.failed.find((f) => f.legacyId === leaver.idToken.sub)?.reason ?? '', /disabled/);
  t.true(await world.zitadel.double.checkPassword('mia', 'New-Zitadel-Passw0rd!'), 'the password set in ZITADEL stays');
  t.false(await world.zitadel.double.checkPassword('mia', 'Legacy-Passw0rd!'));
  t.like(await ledgerOf(world).get(mia.idToken.sub), { state: 'migrated', zitadelUserId: created.id });

  // Provisioned, then deleted in ZITADEL while a completion was pending: the id is forgotten, and the next
  // retry creates the user again instead of failing on the old id for ever.
  const gone = await login(world.rp, world.bridge, 'gone', 'Gone-Passw0rd!');
  const deleted = zitadelUserOf(world, 'gone')!;
  world.zitadel.double.state.users.delete(deleted.id);
  await world.db.query("UPDATE migration_ledger SET state = 'failed', failure_reason = 'stopped' WHERE legacy_id = $1", [gone.idToken.sub]);
  const first = await world.bridge.migration.retry();
  t.regex(first.failed.find((f) => f.legacyId === gone.idToken.sub)?.reason ?? '', new RegExp(`${deleted.id} no longer exists`));
  t.is((await ledgerOf(world).get(gone.idToken.sub))?.zitadelUserId, null);
  await world.bridge.migration.retry();
  const recreated = zitadelUserOf(world, 'gone')!;
  t.not(recreated.id, deleted.id);
  t.true(await world.zitadel.double.checkPassword('gone', 'Gone-Passw0rd!'));
  t.like(await ledgerOf(world).get(gone.idToken.sub), { state: 'migrated', zitadelUserId: recreated.id });
});

/** A service over a fresh embedded database whose directory and ZITADEL are stand-ins a test shapes. */
async function unitService(options: { directory: Partial<LegacyDirectory>; api?: Partial<ZitadelApi>; provisioner?: Partial<Provisioner> }) {
  const db = await openDatabase({ dataDir: 'memory://', poolSize: 1 });
  await migrate(db);
  const ledger = new Ledger(db, new SealedBox(['current-cookie-key'], 'hand-off hash'));
  const service = new MigrationService({
    ledger,
    // bcrypt goes over as it is; anything else needs the password.
    handOff: { decide: async (stored) => (stored.hash.startsWith('$2y$') ? { kind: 'native', hash: stored.hash } : { kind: 'none', hash: null, reason: 'needs the password' }) },
    passwords: { identify: () => 'some-scheme' },
    directory: { findByLogin: async () => undefined, findById: async () => undefined, list: async () => [], ping: async () => {}, close: async () => {}, ...options.directory },
    logger: createLogger('silent'),
    pendingTtlSeconds: 600,
    prepareHandOff: true,
    withoutHash: 'reset',
    ...(options.api ? { api: options.api as ZitadelApi } : {}),
    ...(options.provisioner ? { provisioner: options.provisioner as Provisioner } : {}),
  });
  return { db, ledger, service };
}

const legacy = (id: string): LegacyUser => ({ id, credential: null, disabled: false, profile: { email: `${id}@example.com`, givenName: 'G', familyName: 'F' } });

test('one user whose retry throws is that user\'s failure: the run goes on and reports', async (t) => {
  const { db, ledger, service } = await unitService({
    directory: {
      async findById(id) {
        if (id === 'a') throw new LegacyUnavailableError('the legacy database timed out');
        return legacy(id);
      },
    },
    api: { findUserByUsername: async () => undefined, userFacts: async () => ({ hasPassword: false, email: undefined, emailVerified: false }), sendPasswordReset: async () => {} },
    provisioner: { provision: async (user) => ({ zitadelUserId: `z-${user.id}`, how: 'created' }) },
  });
  t.teardown(() => db.close());
  for (const id of ['a', 'b', 'c']) await ledger.markFailed(id, 'provision', 'ZITADEL unreachable');
  const report = await service.retry();
  t.is(report.attempted, 3);
  t.is(report.completed, 2);
  t.deepEqual(report.failed.map((f) => f.legacyId), ['a']);
  t.regex(report.failed[0]!.reason, /timed out/);
});

test('a sealed hash that no key opens any more: the hook hands over what the stored hash gives, else the reset is due', async (t) => {
  const stored = new Map<string, LegacyUser>([
    ['native', { ...legacy('native'), credential: { hash: '$2y$10$stored' } }],
    ['rehash', { ...legacy('rehash'), credential: { hash: '{SSHA}stored' } }],
  ]);
  // The hook read the row already: the fallback works from it, without a second lookup.
  const { db, ledger, service } = await unitService({ directory: { findById: async () => Promise.reject(new Error('looked up again')) } });
  t.teardown(() => db.close());
  // Sealed under a cookie key the operator has since removed.
  const retired = new Ledger(db, new SealedBox(['retired-cookie-key'], 'hand-off hash'));
  for (const id of stored.keys()) await retired.recordLogin(id, { kind: 'rehash', hash: '$argon2id$sealed-under-the-old-key' }, 600);

  const native = await service.releaseForHook(stored.get('native')!, 'token-1', 300);
  t.is(native.released && native.hash, '$2y$10$stored');
  t.is(native.released && native.entry.state, 'migrated');

  const rehash = await service.releaseForHook(stored.get('rehash')!, 'token-2', 300);
  t.is(rehash.released && rehash.hash, undefined);
  t.true(rehash.released && rehash.entry.resetDue, 'the reset link is due instead');
  t.is((await ledger.get('rehash'))?.failureReason, RESET_DUE);
});
