// The bridge with the Actions v2 hook on, USERS legacy users each with a fresh login recorded in the ledger
// and an access token of their own. CHECKS=off replaces the signature and token checks with ones that pass.
// Prints "READY <issuer>" and writes the users' subjects and tokens to TOKENS_FILE.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config/load.js';
import { openLegacyDirectory } from '../../src/legacy/registry.js';
import { Ledger } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import { generateSigningKey } from '../../src/oidc/keys.js';
import { createPasswordChecker } from '../../src/passwords/index.js';
import { createApp } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { createMigration } from '../../src/server/resources.js';
import { openDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { benchDatabase, serveUntilStopped } from './lifecycle.js';

const { USERS = '2000', CHECKS = 'on', SIGNING_KEY = 'bench-signing-key', TOKENS_FILE = '' } = process.env;
const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const table = `bench_hook_${process.pid}`;
const database = await benchDatabase();
const config = parseConfig({
  issuer,
  database: { url: database.url, dataDir: database.dataDir },
  legacy: { table, columns: { id: 'id', login: ['username'], passwordHash: 'password_hash', givenName: 'given', familyName: 'family', email: 'email' } },
  oidc: { clients: [{ clientId: 'zitadel', clientSecret: 'bench-secret', zitadelUrl: 'https://zitadel.bench' }], cookieKeys: ['bench-cookie-key'] },
  zitadel: { idpId: 'bench-idp', hook: { enabled: true, signingKeys: [SIGNING_KEY] } },
  log: { level: 'silent' },
});
const db = await openDatabase(config.database);
await migrate(db);
await db.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, username text UNIQUE, password_hash text, given text, family text, email text)`);
await db.query(
  `INSERT INTO ${table} (username, password_hash, given, family, email)
   SELECT 'user' || n, '$2b$10$abcdefghijklmnopqrstuuJ7uO0aVOGkxy6D2ZL7W0HgqQ0G7J8Ce', 'Bench', 'User ' || n, 'user' || n || '@example.com' FROM generate_series(1, ${Number(USERS)}) n`,
);
const logger = createLogger('silent');
const directory = await openLegacyDirectory(config.legacy, db);
const passwords = createPasswordChecker(config.legacy.passwords, logger);
const migration = createMigration(config, db, directory, passwords, logger);
const pass = { signature: () => ({ ok: true }) as const, token: async () => undefined };
const { provider } = createApp(config, { db, directory, passwords, jwks: { keys: [await generateSigningKey()] }, logger, migration }, CHECKS === 'off' ? { hookChecks: pass } : {});

// What a login leaves behind: the ledger row with its hand-off hash, and the access token ZITADEL got.
const ledger = new Ledger(db, new SealedBox(['bench-cookie-key'], 'hand-off hash'));
const client = (await provider.Client.find('zitadel'))!;
const users: Array<{ sub: string; token: string }> = [];
for (let id = 1; id <= Number(USERS); id += 1) {
  const sub = String(id);
  await ledger.recordLogin(sub, { kind: 'native', hash: '$2b$10$abcdefghijklmnopqrstuuJ7uO0aVOGkxy6D2ZL7W0HgqQ0G7J8Ce' }, 3600);
  const grant = new provider.Grant({ accountId: sub, clientId: 'zitadel' });
  grant.addOIDCScope('openid profile email');
  const token = new provider.AccessToken({ accountId: sub, client, grantId: await grant.save(), scope: 'openid profile email', gty: 'authorization_code' });
  users.push({ sub, token: await token.save() });
}
writeFileSync(TOKENS_FILE, JSON.stringify(users));
serveUntilStopped(server, provider.callback(), issuer, async () => {
  await db.close();
  await database.remove();
});
