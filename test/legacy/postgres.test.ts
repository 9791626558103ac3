import pg from 'pg';
import { createPostgresDirectory } from '../../src/legacy/postgres.js';
import type { Queryable } from '../../src/store/database.js';
import { closeDatabases, sharedEmbeddedDatabase } from '../support/databases.js';
import { directoryConformance, type DirectoryFixture, type FixtureRow } from './conformance.js';

async function createTable(db: Queryable, table: string, rows: readonly FixtureRow[]): Promise<void> {
  await db.query(`CREATE TABLE ${table} (
    id integer PRIMARY KEY, username text NOT NULL, email text, email_verified boolean, first_name text, last_name text,
    phone text, password_hash text, salt text, active boolean NOT NULL)`);
  for (const r of rows) {
    await db.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      r.id, r.username, r.email, r.emailVerified, r.firstName, r.lastName, r.phone, r.passwordHash, r.salt, r.active,
    ]);
  }
}

const placeholder = (index: number) => `$${index}`;

// The legacy table inside the embedded database, queried through the shared pool (the demo's set-up).
directoryConformance('postgres, embedded', async (): Promise<DirectoryFixture> => {
  const db = await sharedEmbeddedDatabase();
  return {
    createTable: (table, rows) => createTable(db, table, rows),
    dropTable: async (table) => void (await db.query(`DROP TABLE IF EXISTS ${table}`)),
    placeholder,
    openDirectory: async (config) => createPostgresDirectory(config, db),
    close: closeDatabases,
  };
});

// A PostgreSQL server reached by URL, with the directory's own pool, whenever LEGACY_DATABASE_URL is set.
const serverUrl = process.env.LEGACY_DATABASE_URL;
if (serverUrl) {
  directoryConformance('postgres, server', async (): Promise<DirectoryFixture> => {
    const admin = new pg.Pool({ connectionString: serverUrl, max: 2 });
    return {
      createTable: (table, rows) => createTable(admin, table, rows),
      dropTable: async (table) => void (await admin.query(`DROP TABLE IF EXISTS ${table}`)),
      placeholder,
      openDirectory: async (config) => createPostgresDirectory({ ...config, url: serverUrl }),
      close: () => admin.end(),
    };
  });
}
