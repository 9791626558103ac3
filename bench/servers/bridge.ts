// The bridge as it runs in production (its database: DATABASE_URL or the embedded one), with one legacy
// user stored as HASH (md5-hex: trivially cheap; bcrypt: cost 10). STORAGE=memory keeps the provider's state in
// its in-memory adapter, to tell storage from the rest. Prints "READY <issuer>" when listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import { createHash } from 'node:crypto';
import { parseConfig } from '../../src/config/load.js';
import { openLegacyDirectory } from '../../src/legacy/registry.js';
import { generateSigningKey } from '../../src/oidc/keys.js';
import { createPasswordChecker } from '../../src/passwords/index.js';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { createMigration } from '../../src/server/resources.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { benchDatabase, serveUntilStopped } from './lifecycle.js';

const { CLIENT_ID = 'bench', CLIENT_SECRET = 'bench-secret', REDIRECT_URI = 'https://rp.example/cb', PASSWORD = 'bench-password', HASH = 'plain' } = process.env;

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const table = `bench_users_${process.pid}`;
const scheme = HASH === 'bcrypt' ? 'bcrypt' : 'md5-hex';
const database = await benchDatabase();
const config = parseConfig({
  issuer,
  database: { url: database.url, dataDir: database.dataDir },
  legacy: { table, columns: { id: 'id', login: ['username'], passwordHash: 'password_hash', givenName: 'given', familyName: 'family', email: 'email' }, passwords: { schemes: [scheme] } },
  oidc: { clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT_URI] }], cookieKeys: ['bench-cookie-key'] },
  login: { throttle: { maxFailures: 1_000_000, maxFailuresPerAddress: 1_000_000 } },
  log: { level: 'silent' },
});
const db = await openDatabase(config.database);
await migrate(db);
const hash = HASH === 'bcrypt' ? await bcrypt.hash(PASSWORD, 10) : createHash('md5').update(PASSWORD).digest('hex');
await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, username text UNIQUE, password_hash text, given text, family text, email text)`);
await db.query(`INSERT INTO ${table} (username, password_hash, given, family, email) VALUES ('bench', $1, 'Bench', 'User', 'bench@example.com')`, [hash]);
const logger = createLogger('silent');
const directory = await openLegacyDirectory(config.legacy, db);
const passwords = createPasswordChecker(config.legacy.passwords, logger);
const migration = createMigration(config, db, directory, passwords, logger);
const { provider } = createApp(config, { db, directory, passwords, jwks: { keys: [await generateSigningKey()] }, logger, migration }, { inMemoryStorage: process.env.STORAGE === 'memory' });
serveUntilStopped(server, provider.callback(), issuer, async () => {
  await db.close();
  await database.remove();
});
