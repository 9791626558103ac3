import test from 'ava';
import pg from 'pg';
import type { LegacyConfig } from '../../src/config/schema.js';
import { LegacyUnavailableError, type LegacyDirectory } from '../../src/legacy/directory.js';
import { createPostgresDirectory } from '../../src/legacy/postgres.js';
import type { Queryable } from '../../src/store/database.js';
import { closeDatabases, sharedEmbeddedDatabase, uniqueTableName } from '../support/databases.js';
import { directoryConformance, legacyConfig, type DirectoryFixture, type FixtureRow } from './conformance.js';

async function createTable(db: Queryable, table: string, rows: readonly FixtureRow[]): Promise<void> {
  await db.query(`CREATE TABLE ${table} (
    id integer PRIMARY KEY, username text NOT NULL, email text, email_verified boolean, first_name text, last_name text,
    phone text, password_hash text, salt text, active boolean NOT NULL, member_no integer, password_hash_fixed char(64), salt_fixed char(32))`);
  for (const r of rows) {
    await db.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, [
      r.id, r.username, r.email, r.emailVerified, r.firstName, r.lastName, r.phone, r.passwordHash, r.salt, r.active, r.memberNo, r.passwordHash, r.salt,
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
    columnTypes: false,
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

/** Each PostgreSQL the tests reach: the embedded one through the shared pool, a server by URL when set. */
const families: Array<[string, () => Promise<{ db: Queryable; open: (config: LegacyConfig) => LegacyDirectory; close: () => Promise<void> }>]> = [
  ['postgres, embedded', async () => {
    const db = await sharedEmbeddedDatabase();
    return { db, open: (config) => createPostgresDirectory(config, db), close: async () => {} };
  }],
];
if (serverUrl) {
  families.push(['postgres, server', async () => {
    const db = new pg.Pool({ connectionString: serverUrl, max: 2 });
    return { db, open: (config) => createPostgresDirectory({ ...config, url: serverUrl }), close: () => db.end() };
  }]);
}

for (const [family, connect] of families) {
  test(`[${family}] int8 and numeric flags count by their value; binary ids and salts and a lower-cased alias are refused`, async (t) => {
    const { db, open, close } = await connect();
    const table = uniqueTableName('pg_types');
    const directories: LegacyDirectory[] = [];
    const directory = (legacy: Record<string, unknown>) => {
      const opened = open(legacyConfig(legacy));
      directories.push(opened);
      return opened;
    };
    t.teardown(async () => {
      for (const opened of directories) await opened.close();
      await db.query(`DROP TABLE IF EXISTS ${table}`);
      await close();
    });
    await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, username text NOT NULL, password_hash text, bans int8 NOT NULL,
      verified numeric(3,2), raw_id bytea, raw_salt bytea)`);
    await db.query(`INSERT INTO ${table} VALUES (1, 'banned', 'h1', 2, 1.00, '\\xff01', '\\x9f00c3'), (2, 'clean', 'h2', 0, 0.00, '\\xfe01', '\\x9f00c4')`);

    const columns = { id: 'id', login: ['username'], passwordHash: 'password_hash', emailVerified: 'verified' };
    const select = `SELECT id, username, password_hash, verified, bans AS disabled FROM ${table}`;
    const explicit = directory({ columns, queries: { findByLogin: `${select} WHERE username = $1`, findById: `${select} WHERE id = $1` } });
    const banned = await explicit.findByLogin('banned');
    t.true(banned?.disabled, 'a count of 2 bans (int8) disables');
    t.true(banned?.profile.emailVerified, 'numeric 1.00 is verified');
    const clean = await explicit.findByLogin('clean');
    t.false(clean?.disabled);
    t.false(clean?.profile.emailVerified);

    const binaryId = directory({ table, columns: { ...columns, id: 'raw_id' } });
    const idError = await t.throwsAsync(binaryId.findByLogin('banned'), { instanceOf: LegacyUnavailableError });
    t.regex(idError.message, /'raw_id'.*binary data.*encode\(raw_id, 'hex'\)/);
    const binarySalt = directory({ table, columns: { ...columns, salt: 'raw_salt' } });
    t.regex((await t.throwsAsync(binarySalt.findByLogin('clean')))!.message, /'raw_salt' holds binary data/);

    // An unquoted alias is lower-cased: the configured name must follow, or the row has no id.
    const alias = `SELECT id AS userId, username, password_hash FROM ${table}`;
    const misnamed = directory({ columns: { ...columns, id: 'userId' }, queries: { findByLogin: `${alias} WHERE username = $1`, findById: `${alias} WHERE id = $1` } });
    const aliasError = await t.throwsAsync(misnamed.findByLogin('banned'), { instanceOf: LegacyUnavailableError });
    t.regex(aliasError.message, /no column 'userId'.*it has: userid/);
  });
}

for (const [family, connect] of families) {
  test(`[${family}] a NUL byte in a login name or id finds nobody and is no outage`, async (t) => {
    const { db, open, close } = await connect();
    const table = uniqueTableName('pg_nul');
    const directory = open(legacyConfig({ table, columns: { id: 'id', login: ['username'], passwordHash: 'password_hash' } }));
    t.teardown(async () => {
      await directory.close();
      await db.query(`DROP TABLE IF EXISTS ${table}`);
      await close();
    });
    await db.query(`CREATE TABLE ${table} (id text PRIMARY KEY, username text NOT NULL, password_hash text)`);
    await db.query(`INSERT INTO ${table} VALUES ('1', 'alice', 'h')`);
    // PostgreSQL text cannot hold NUL (22021): no user has such a name, so it is "not found", not a 503 and an error log.
    for (const login of ['ali\u0000ce', 'alice\u0000']) t.is(await directory.findByLogin(login), undefined, JSON.stringify(login));
    t.is(await directory.findById('1\u0000'), undefined);
    t.is((await directory.findByLogin('alice'))?.id, '1');
  });
}
