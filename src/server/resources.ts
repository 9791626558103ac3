import { existsSync } from 'node:fs';
import type { BridgeConfig } from '../config/schema.js';
import type { LegacyDirectory } from '../legacy/directory.js';
import { seedDemoUsers } from '../legacy/demo-seed.js';
import { openLegacyDirectory } from '../legacy/registry.js';
import { assertZitadelVerifies, generateSigningKey, readJwks, writeJwks, type PrivateJwks } from '../oidc/keys.js';
import { Ledger } from '../migration/ledger.js';
import { SealedBox } from '../migration/sealed-box.js';
import { MigrationService } from '../migration/service.js';
import { createHandOff, createPasswordChecker, type PasswordChecker } from '../passwords/index.js';
import { createZitadelApi, type ZitadelApi } from '../zitadel/api.js';
import { Provisioner } from '../zitadel/provision.js';
import { deleteExpired, scheduleCleanup, vacuumEmbedded } from '../store/cleanup.js';
import { openDatabase, type Database } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import type { AppResources } from './app.js';
import type { Logger } from './logger.js';

const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;

export interface OpenedResources extends AppResources {
  close(): Promise<void>;
}

/** ZITADEL's API, when the configuration names everything it needs. */
export function zitadelApiOf(config: BridgeConfig): ZitadelApi | undefined {
  const { url, pat, organizationId, idpId, timeoutMs, retries } = config.zitadel;
  if (!url || !pat || !organizationId || !idpId) return undefined;
  return createZitadelApi({ url, pat: pat.reveal(), organizationId, idpId, timeoutMs, retries });
}

/** The migration service over the bridge database, for the server and the `migrate` commands. */
export function createMigration(config: BridgeConfig, db: Database, directory: LegacyDirectory, passwords: PasswordChecker, logger: Logger): MigrationService {
  const api = zitadelApiOf(config);
  const { zitadel } = config;
  const provisioner =
    zitadel.provision.enabled && api
      ? new Provisioner(api, { usernameTaken: zitadel.provision.usernameTaken, legacyIdMetadataKey: zitadel.legacyIdMetadataKey, fallbacks: config.claims })
      : undefined;
  return new MigrationService({
    ledger: new Ledger(db, new SealedBox(config.oidc.cookieKeys.map((key) => key.reveal()), 'hand-off hash')),
    handOff: createHandOff(config.handoff, config.legacy.passwords),
    passwords,
    directory,
    logger,
    pendingTtlSeconds: zitadel.pendingHashTtlSeconds,
    withoutHash: zitadel.withoutHash,
    // A hash is prepared at login only when some path can deliver it.
    prepareHandOff: zitadel.hook.enabled || zitadel.provision.enabled || Boolean(zitadel.actionsV1.secret),
    ...(api ? { api } : {}),
    ...(provisioner ? { provisioner } : {}),
  });
}

/** Demo mode makes its own development signing key; a real deployment must run `keys generate`. */
async function loadKeys(config: BridgeConfig, logger: Logger): Promise<PrivateJwks> {
  if (config.demo && !existsSync(config.oidc.jwksFile)) {
    writeJwks(config.oidc.jwksFile, { keys: [await generateSigningKey()] });
    logger.info({ file: config.oidc.jwksFile }, 'generated a development signing key');
  }
  return signingKeysOf(config);
}

/** The signing keys, checked against what ZITADEL verifies when a client is ZITADEL's. */
export function signingKeysOf(config: BridgeConfig): PrivateJwks {
  const jwks = readJwks(config.oidc.jwksFile);
  if (config.oidc.clients.some((client) => client.zitadelUrl)) assertZitadelVerifies(jwks, config.oidc.jwksFile);
  return jwks;
}

export interface DataResources {
  readonly db: Database;
  readonly directory: LegacyDirectory;
  readonly passwords: PasswordChecker;
  readonly migration: MigrationService;
  /** Close everything, in the reverse order of opening. */
  close(): Promise<void>;
}

/** The databases (migrated), the legacy directory, password checking and the migration service. */
export async function openDataResources(config: BridgeConfig, logger: Logger): Promise<DataResources & { onClose(close: () => Promise<void>): void }> {
  const opened: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closeOne of opened.splice(0).reverse()) await closeOne().catch(() => {});
  };
  try {
    const db: Database = await openDatabase(config.database);
    opened.push(() => db.close());
    const applied = await migrate(db, logger);
    if (applied.length > 0) logger.info({ versions: applied }, 'applied database migrations');
    const directory: LegacyDirectory = await openLegacyDirectory(config.legacy, db);
    opened.push(() => directory.close());
    if (config.demo && !config.legacy.url) {
      if (await seedDemoUsers(db)) logger.info('seeded the demo users table');
    }
    const passwords = createPasswordChecker(config.legacy.passwords, logger);
    opened.push(() => passwords.close());
    const migration = createMigration(config, db, directory, passwords, logger);
    return { db, directory, passwords, migration, close, onClose: (closeOne) => opened.push(closeOne) };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Everything `createApp` needs: the data resources, the signing keys and the periodic cleanup. */
export async function openResources(config: BridgeConfig, logger: Logger): Promise<OpenedResources> {
  const jwks = await loadKeys(config, logger);
  const data = await openDataResources(config, logger);
  const stopCleanup = scheduleCleanup(
    [
      () => deleteExpired(data.db),
      () => data.migration.erasePendingExpired(),
      () => data.migration.forgetReleasedTokens(Math.max(config.oidc.ttl.accessToken, config.zitadel.hook.maxLoginAgeSeconds)),
      () => vacuumEmbedded(data.db),
    ],
    CLEANUP_INTERVAL_MS,
    (error) => logger.warn({ err: error }, 'cleanup of expired rows failed'),
  );
  data.onClose(async () => stopCleanup());
  return { db: data.db, directory: data.directory, passwords: data.passwords, migration: data.migration, close: data.close, jwks, logger };
}
