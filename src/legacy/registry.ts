import type { LegacyConfig } from '../config/schema.js';
import type { Queryable } from '../store/database.js';
import type { LegacyDirectory } from './directory.js';
import { createMysqlDirectory } from './mysql.js';
import { createPostgresDirectory } from './postgres.js';
import { LEGACY_PROTOCOLS } from './protocols.js';
import { rememberRecentUsers } from './recent-users.js';

/** Opens a legacy directory for a connection URL; one entry per database family. */
const factories = {
  postgres: async (config: LegacyConfig) => createPostgresDirectory(config),
  mysql: async (config: LegacyConfig) => createMysqlDirectory(config),
} satisfies Record<string, (config: LegacyConfig) => Promise<LegacyDirectory>>;

/**
 * The directory for the configured legacy database. Without a URL the legacy table lives in the bridge's
 * own database (the demo, or a copy imported next to the bridge).
 */
export async function openLegacyDirectory(config: LegacyConfig, bridgeDatabase: Queryable): Promise<LegacyDirectory> {
  return rememberRecentUsers(await openUncached(config, bridgeDatabase), config.claimsCacheSeconds);
}

async function openUncached(config: LegacyConfig, bridgeDatabase: Queryable): Promise<LegacyDirectory> {
  if (!config.url) return createPostgresDirectory(config, bridgeDatabase);
  // The configuration has checked the URL and its scheme (schema.ts, legacyUrl).
  const family = LEGACY_PROTOCOLS[new URL(config.url).protocol.slice(0, -1)];
  if (!family) throw new Error('legacy.url names no supported database');
  return factories[family](config);
}
