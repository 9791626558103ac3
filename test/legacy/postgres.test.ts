import test, { type ExecutionContext } from 'ava';
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

interface Family {
  db: Queryable;
  open: (config: LegacyConfig) => LegacyDirectory;
  /** The plan of a statement with sequential scans off: one remains only where no index can answer. */
  plan: (sql: string, params: readonly unknown[]) => Promise<string>;
  /** Whether the citext extension can be created (PGlite loads extensions only when it starts). */
  citext: boolean;
  close: () => Promise<void>;
}

const planText = (result: pg.QueryResult) => result.rows.map((row) => String(row['QUERY PLAN'])).join('\n');

/** Each PostgreSQL the tests reach: the embedded one through the shared pool, a server by URL when set. */
const families: Array<[string, () => Promise<Family>]> = [
  ['postgres, embedded', async () => {
    const db = await sharedEmbeddedDatabase();
    const plan = (sql: string, params: readonly unknown[]) =>
      db.transaction(async (tx) => {
        await tx.query('SET LOCAL enable_seqscan = off');
        return planText(await tx.query(`EXPLAIN (COSTS OFF) ${sql}`, [...params]));
      });
    return { db, open: (config) => createPostgresDirectory(config, db), plan, citext: false, close: async () => {} };
  }],
];
if (serverUrl) {
  families.push(['postgres, server', async () => {
    const db = new pg.Pool({ connectionString: serverUrl, max: 2 });
    const plan = async (sql: string, params: readonly unknown[]) => {
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        return planText(await client.query(`EXPLAIN (COSTS OFF) ${sql}`, [...params]));
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    };
    return { db, open: (config) => createPostgresDirectory({ ...config, url: serverUrl }), plan, citext: true, close: () => db.end() };
  }]);
}

/** A table name of the test's own on `connect`'s database, and directories over it; all gone when the test ends. */
async function ownTable(t: ExecutionContext, connect: () => Promise<Family>, prefix: string) {
  const { db, open, close } = await connect();
  const table = uniqueTableName(prefix);
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
  return { db, table, directory };
}

for (const [family, connect] of families) {
  test(`[${family}] int8 and numeric flags count by their value; binary ids and salts and a lower-cased alias are refused`, async (t) => {
    const { db, table, directory } = await ownTable(t, connect, 'pg_types');
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

for (const [family, connect] of families) {
  test(`[${family}] login columns of char(n), integer, citext and domain types compare as their type: an index answers, citext ignores case`, async (t) => {
    const { db, open, plan, citext, close } = await connect();
    const table = uniqueTableName('pg_login_types');
    const handle = `${table}_handle`;
    const directories: LegacyDirectory[] = [];
    t.teardown(async () => {
      for (const opened of directories) await opened.close();
      await db.query(`DROP TABLE IF EXISTS ${table}`);
      await db.query(`DROP DOMAIN IF EXISTS ${handle}`);
      await close();
    });
    if (citext) await db.query('CREATE EXTENSION IF NOT EXISTS citext');
    // A domain with a check: a typed name compared with the column must not be put to the check (no outage).
    await db.query(`CREATE DOMAIN ${handle} AS varchar(20) CHECK (VALUE ~ '^[a-z]+$')`);
    await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, code char(12), member_no integer, small_no smallint, nick ${handle},
      ${citext ? 'email citext' : 'email text'}, password_hash text)`);
    await db.query(`INSERT INTO ${table} VALUES (1, 'C1', 1001, 7, 'alice', 'Alice@Example.com', 'h1'), (2, 'C2', 1002, 8, 'bob', 'Bob@Example.com', 'h2')`);
    for (const column of ['code', 'member_no', 'small_no', 'nick', 'email']) {
      await db.query(`CREATE INDEX ON ${table} (${column})`);
      await db.query(`CREATE INDEX ON ${table} (lower(${column}::text))`);
    }

    // What the directory asks, to see which plan its statement gets.
    const asked: Array<{ sql: string; params: readonly unknown[] }> = [];
    const spy = { query: (sql: string, params: unknown[] = []) => (asked.push({ sql, params }), db.query(sql, params)) } as Queryable;
    const directory = (column: string, caseInsensitiveLogin: boolean, viaSpy = false) => {
      const config = legacyConfig({ table, caseInsensitiveLogin, columns: { id: 'id', login: [column], passwordHash: 'password_hash' } });
      const opened = viaSpy ? createPostgresDirectory(config, spy) : open(config);
      directories.push(opened);
      return opened;
    };

    for (const caseInsensitiveLogin of [false, true]) {
      const mode = `caseInsensitiveLogin: ${caseInsensitiveLogin}`;
      const code = directory('code', caseInsensitiveLogin);
      t.is((await code.findByLogin('C1'))?.id, '1', mode);
      t.is((await code.findByLogin('c1'))?.id, caseInsensitiveLogin ? '1' : undefined, mode);
      for (const column of ['member_no', 'small_no']) {
        const members = directory(column, caseInsensitiveLogin);
        t.is((await members.findByLogin(column === 'member_no' ? '1002' : '8'))?.id, '2', `${column}, ${mode}`);
        // Not the text of a number the column can hold: nobody, and no outage.
        for (const login of ['abc', '01002', '1002.0', '-0', '+8', '08', '99999', '99999999999', '9'.repeat(30)]) {
          t.is(await members.findByLogin(login), undefined, `${column} ${login}, ${mode}`);
        }
      }
      const nick = directory('nick', caseInsensitiveLogin);
      t.is((await nick.findByLogin('bob'))?.id, '2', mode);
      t.is(await nick.findByLogin('Not a handle!'), undefined, mode);
      const email = directory('email', caseInsensitiveLogin);
      t.is((await email.findByLogin('Bob@Example.com'))?.id, '2', mode);
      // citext ignores case whatever the setting, as the column's own = does.
      const ignoresCase = caseInsensitiveLogin || citext;
      t.is((await email.findByLogin('bob@example.com'))?.id, ignoresCase ? '2' : undefined, mode);

      for (const [column, login] of [['code', 'C1'], ['member_no', '1001'], ['small_no', '7'], ['member_no', 'abc'], ['nick', 'alice'], ['email', 'alice@example.com']] as const) {
        asked.length = 0;
        await directory(column, caseInsensitiveLogin, true).findByLogin(login);
        const statement = asked.at(-1)!;
        t.notRegex(await plan(statement.sql, statement.params), /Seq Scan/, `${column} ${login}, ${mode}: ${statement.sql.slice(statement.sql.indexOf('WHERE'))}`);
      }
    }
  });
}

for (const [family, connect] of families) {
  test(`[${family}] a value out of range or unreadable in the rows is an outage, not an unknown user; a typed value is not`, async (t) => {
    const { db, table, directory } = await ownTable(t, connect, 'pg_row_errors');
    await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, username text NOT NULL, password_hash text, bans integer, status text)`);
    await db.query(`INSERT INTO ${table} VALUES (1, 'ann', 'h1', 100000, '0'), (2, 'ben', 'h2', 0, 'n/a')`);
    const columns = { id: 'id', login: ['username'], passwordHash: 'password_hash' };

    // 22003: integer overflow in the rows; 22P02: text that is no number in the rows.
    const overflow = directory({ table, columns, disabledWhen: 'bans * 100000 > 0' });
    await t.throwsAsync(overflow.findByLogin('ann'), { instanceOf: LegacyUnavailableError, message: /22003/ });
    await t.throwsAsync(overflow.list({ limit: 10 }), { instanceOf: LegacyUnavailableError, message: /22003/ });
    const unreadable = directory({ table, columns, disabledWhen: 'CAST(status AS integer) > 0' });
    await t.throwsAsync(unreadable.findByLogin('ben'), { instanceOf: LegacyUnavailableError, message: /22P02/ });
    // An operator's own lookup by login name may put the typed name to a number column: a name that is no
    // number, or one out of range, finds nobody there, as a typed id does.
    const select = `SELECT id, username, password_hash FROM ${table}`;
    const explicit = directory({ columns, queries: { findByLogin: `${select} WHERE username = $1 OR id = $1::text::integer`, findById: `${select} WHERE id = $1` } });
    for (const login of ['nobody', '99999999999']) t.is(await explicit.findByLogin(login), undefined, login);
    t.is((await explicit.findByLogin('2'))?.id, '2');

    // A typed id no integer key can be is still nobody.
    const plain = directory({ table, columns });
    for (const id of ['abc', '99999999999']) t.is(await plain.findById(id), undefined, id);
    t.is((await plain.findByLogin('ann'))?.id, '1');

    // An operator's query whose error quotes the typed name (a password typed as the login name): the outage
    // names the error, and neither its message nor anything it carries for the log quotes the value.
    const quoting = directory({ columns, queries: { findByLogin: `${select} WHERE username = $1 OR ($1::text || '')::date IS NULL`, findById: `${select} WHERE id = $1` } });
    const outage = await t.throwsAsync(quoting.findByLogin('Secret-Pw-1'), { instanceOf: LegacyUnavailableError, message: /22007/ });
    t.false(JSON.stringify({ message: outage.message, stack: outage.stack, cause: String(outage.cause) }).includes('Secret-Pw-1'));
  });
}
