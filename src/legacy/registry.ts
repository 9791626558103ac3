import type { LegacyConfig } from '../config/schema.js';
import type { Queryable } from '../store/database.js';
import type { LegacyDirectory } from './directory.js';
import { createMysqlDirectory } from './mysql.js';
import { createPostgresDirectory } from './postgres.js';
import { rememberRecentUsers } from './recent-users.js';

/** Opens a legacy directory for a connection URL; one entry per database family. */
type DirectoryFactory = (config: LegacyConfig) => Promise<LegacyDirectory>;

const factories: ReadonlyMap<string, DirectoryFactory> = new Map<string, DirectoryFactory>([
  ['postgres:', async (config) => createPostgresDirectory(config)],
  ['postgresql:', async (config) => createPostgresDirectory(config)],
  ['mysql:', async (config) => createMysqlDirectory(config)],
  ['mariadb:', async (config) => createMysqlDirectory(config)],
]);

export function supportedProtocols(): string[] {
  return [...factories.keys()].map((p) => p.slice(0, -1));
}

/**
 * The directory for the configured legacy database. Without a URL the legacy table lives in the bridge's
 * own database (the demo, or a copy imported next to the bridge).
 */
export async function openLegacyDirectory(config: LegacyConfig, bridgeDatabase: Queryable): Promise<LegacyDirectory> {
  return rememberRecentUsers(await openUncached(config, bridgeDatabase), config.claimsCacheSeconds);
}

async function openUncached(config: LegacyConfig, bridgeDatabase: Queryable): Promise<LegacyDirectory> {
  if (!config.url) return createPostgresDirectory(config, bridgeDatabase);
  let protocol: string;
  try {
    protocol = new URL(config.url).protocol;
  } catch {
    throw new Error('legacy.url is not a valid URL (expected postgres://… or mysql://…)');
  }
  const factory = factories.get(protocol);
  if (!factory) throw new Error(`legacy.url: unsupported database '${protocol.slice(0, -1)}' (supported: ${supportedProtocols().join(', ')})`);
  return factory(config);
}
