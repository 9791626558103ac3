import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';

/** A bridge database under test: the embedded one always, a server when DATABASE_URL is set. */
export interface DatabaseUnderTest {
  readonly name: string;
  open(): Promise<Database>;
}

const opened = new Map<string, Promise<Database>>();

/** Open (once per test file) and migrate a database; starting PGlite costs seconds and hundreds of MiB. */
function shared(name: string, open: () => Promise<Database>): Promise<Database> {
  let db = opened.get(name);
  if (!db) {
    db = open().then(async (database) => {
      await migrate(database);
      return database;
    });
    opened.set(name, db);
  }
  return db;
}

export function sharedEmbeddedDatabase(): Promise<Database> {
  return shared('embedded', () => openDatabase({ dataDir: 'memory://', poolSize: 1 }));
}

export function bridgeDatabasesUnderTest(): DatabaseUnderTest[] {
  const list: DatabaseUnderTest[] = [{ name: 'embedded', open: sharedEmbeddedDatabase }];
  const url = process.env.DATABASE_URL;
  if (url) list.push({ name: 'server', open: () => shared('server', () => openDatabase({ url, dataDir: '', poolSize: 5 })) });
  return list;
}

/** Close every database this test file opened. */
export async function closeDatabases(): Promise<void> {
  const all = [...opened.values()];
  opened.clear();
  for (const db of all) await (await db).close();
}

/** The database end-to-end tests run on: the server when DATABASE_URL is set, else the embedded one. */
export async function bridgeDatabaseForE2E(): Promise<Database> {
  const list = bridgeDatabasesUnderTest();
  return list[list.length - 1]!.open();
}

/** A table name no other test file uses, so files can run in parallel on one server. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** A pool on the legacy PostgreSQL server named by LEGACY_DATABASE_URL, if any. */
export function legacyServerPool(): pg.Pool | undefined {
  const url = process.env.LEGACY_DATABASE_URL;
  if (!url) return undefined;
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => {});
  return pool;
}
