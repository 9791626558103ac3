import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import { parseConfig } from '../../src/config/load.js';
import type { BridgeConfig } from '../../src/config/schema.js';
import type { LegacyDirectory } from '../../src/legacy/directory.js';
import { openLegacyDirectory } from '../../src/legacy/registry.js';
import { generateSigningKey, type PrivateJwks } from '../../src/oidc/keys.js';
import { createPasswordChecker, type PasswordChecker } from '../../src/passwords/index.js';
import { createApp } from '../../src/server/app.js';
import { createMigration } from '../../src/server/resources.js';
import { createLogger } from '../../src/server/logger.js';
import type { Database } from '../../src/store/database.js';
import type { MigrationService } from '../../src/migration/service.js';

export const ZITADEL_URL = 'https://zitadel.test';
export const CLIENT_ID = 'zitadel';

export interface TestBridge {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly config: BridgeConfig;
  readonly provider: Provider;
  readonly directory: LegacyDirectory;
  readonly passwords: PasswordChecker;
  readonly migration: MigrationService;
  readonly server: Server;
  close(): Promise<void>;
}

export interface TestBridgeOptions {
  readonly db: Database;
  /** The `legacy` section (table, columns, url …). */
  readonly legacy: Record<string, unknown>;
  /** Changes to the raw configuration before it is parsed. */
  readonly adjust?: (raw: Record<string, any>) => void | Promise<void>;
  /** The directory's pool when the legacy table lives in the bridge database. */
  readonly legacyPool?: Database;
  /** Signing keys (default: one new RS256 key). */
  readonly jwks?: PrivateJwks;
  /** Where log lines go (default: stdout, at `TEST_LOG_LEVEL`, silent unless set). */
  readonly logTo?: NodeJS.WritableStream;
}

/** Listen first, so the issuer (with its port) is known before the provider is built. */
async function listen(): Promise<{ server: Server; issuer: string; setHandler: (handler: Parameters<typeof createServer>[1]) => void }> {
  let handler: Parameters<typeof createServer>[1] = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, issuer: `http://127.0.0.1:${port}`, setHandler: (h) => (handler = h) };
}

/** A bridge on a random local port, configured as a ZITADEL instance would use it. */
export async function startTestBridge(options: TestBridgeOptions): Promise<TestBridge> {
  const { server, issuer, setHandler } = await listen();
  const clientSecret = randomBytes(24).toString('base64url');
  const raw: Record<string, any> = {
    issuer,
    legacy: options.legacy,
    oidc: {
      clients: [{ clientId: CLIENT_ID, clientSecret, zitadelUrl: ZITADEL_URL }],
      cookieKeys: [randomBytes(32).toString('base64url')],
    },
    log: { level: process.env.TEST_LOG_LEVEL ?? 'silent' },
  };
  await options.adjust?.(raw);
  const config = parseConfig(raw);
  const logger = createLogger(config.log.level, options.logTo);
  const directory = await openLegacyDirectory(config.legacy, options.legacyPool ?? options.db);
  const passwords = createPasswordChecker(config.legacy.passwords, logger);
  const jwks = options.jwks ?? { keys: [await generateSigningKey()] };
  const migration = createMigration(config, options.db, directory, passwords, logger);
  const { provider } = createApp(config, { db: options.db, directory, passwords, jwks, logger, migration });
  setHandler(provider.callback());
  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret,
    config,
    provider,
    directory,
    passwords,
    migration,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await directory.close();
      await passwords.close();
    },
  };
}
