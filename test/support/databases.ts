import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from 'ava';
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
  if (url) list.push({ name: 'server', open: () => shared('server', () => openServerSchema(url)) });
  return list;
}

/**
 * A schema of its own on the server for this test file: files run in parallel, and each must see only its
 * own sessions, throttle counters and ledger, as each bridge deployment has its own database.
 */
async function openServerSchema(url: string): Promise<Database> {
  const schema = uniqueTableName('test');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return openDatabase({ url: scoped.href, dataDir: '', poolSize: 5 });
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

/**
 * A schema of the test's own on the PostgreSQL server (DATABASE_URL), dropped when the test ends: `admin`
 * works in it, `url` points a connection at it.
 */
export async function serverSchema(t: ExecutionContext, prefix: string): Promise<{ admin: pg.Client; schema: string; url: string }> {
  const server = process.env.DATABASE_URL!;
  const schema = uniqueTableName(prefix);
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.query(`SET search_path = ${schema}`);
  t.teardown(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });
  const scoped = new URL(server);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return { admin, schema, url: scoped.href };
}
