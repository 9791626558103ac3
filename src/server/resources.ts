import { existsSync } from 'node:fs';
import type { BridgeConfig } from '../config/schema.js';
import type { LegacyDirectory } from '../legacy/directory.js';
import { seedDemoUsers } from '../legacy/demo-seed.js';
import { openLegacyDirectory } from '../legacy/registry.js';
import { generateSigningKey, readJwks, writeJwks, type PrivateJwks } from '../oidc/keys.js';
import { createPasswordChecker } from '../passwords/index.js';
import { scheduleCleanup } from '../store/cleanup.js';
import { openDatabase, type Database } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import type { AppResources } from './app.js';
import type { Logger } from './logger.js';

const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;

export interface OpenedResources extends AppResources {
  close(): Promise<void>;
}

/** Demo mode makes its own development signing key; a real deployment must run `keys generate`. */
async function loadKeys(config: BridgeConfig, logger: Logger): Promise<PrivateJwks> {
  if (config.demo && !existsSync(config.oidc.jwksFile)) {
    writeJwks(config.oidc.jwksFile, { keys: [await generateSigningKey()] });
    logger.info({ file: config.oidc.jwksFile }, 'generated a development signing key');
  }
  return readJwks(config.oidc.jwksFile);
}

/** Open the databases, apply migrations, load keys: everything `createApp` needs. Closes what it opened on failure. */
export async function openResources(config: BridgeConfig, logger: Logger): Promise<OpenedResources> {
  const opened: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closeOne of opened.reverse()) await closeOne().catch(() => {});
  };
  try {
    const jwks = await loadKeys(config, logger);
    const db: Database = await openDatabase(config.database);
    opened.push(() => db.close());
    const applied = await migrate(db);
    if (applied.length > 0) logger.info({ versions: applied }, 'applied database migrations');
    const directory: LegacyDirectory = await openLegacyDirectory(config.legacy, db);
    opened.push(() => directory.close());
    if (config.demo && !config.legacy.url) {
      if (await seedDemoUsers(db)) logger.info('seeded the demo users table');
    }
    const passwords = createPasswordChecker(config.legacy.passwords, logger);
    opened.push(() => passwords.close());
    const stopCleanup = scheduleCleanup(db, CLEANUP_INTERVAL_MS, (error) => logger.warn({ err: error }, 'cleanup of expired rows failed'));
    opened.push(async () => stopCleanup());
    return { db, directory, passwords, jwks, logger, close };
  } catch (error) {
    await close();
    throw error;
  }
}
