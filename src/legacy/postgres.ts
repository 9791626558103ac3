import pg from 'pg';
import type { LegacyConfig } from '../config/schema.js';
import { prepared, type Queryable } from '../store/database.js';
import type { LegacyDirectory } from './directory.js';
import type { Row } from './row.js';
import { createSqlDirectory, type SqlConnection, type SqlDialect } from './sql-directory.js';

export const postgresDialect: SqlDialect = {
  name: 'PostgreSQL',
  quoteIdentifier: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  // 22P02: invalid text representation, e.g. "abc" for an integer key; 22003: a number out of its range, e.g.
  // 99999999999 for one. 22021: a character the encoding cannot hold, e.g. a NUL byte in a typed login name.
  // No user can have such a value, and it is no outage.
  isInvalidValue: (error) => ['22P02', '22003', '22021'].includes((error as { code?: string })?.code ?? ''),
  // Login columns compare as text: an integer column would fail the whole statement for a name that is no
  // number (22P02; lower(integer) does not exist). The cast is on the column side, as there is no
  // integer = text; PostgreSQL drops a cast of text to text and varchar's is free, so indexes on text and
  // varchar columns, and on lower(column), still answer.
  exactEquals: (column, name) => `CAST(${column} AS text) = ${name()}`,
  // An index on lower(column) answers this (the README asks for one).
  caseInsensitiveEquals: (column, name) => `LOWER(CAST(${column} AS text)) = LOWER(${name()})`,
};

/** PostgreSQL's char(n). */
const BPCHAR = 1042;

/**
 * A result's rows, without the spaces char(n) pads a hash or salt with: they are not part of the value
 * (PostgreSQL ignores them in comparisons and drops them when it reads char(n) as text). Columns that keep
 * what they are given keep a trailing space: a {noop} password or a salt may end with one.
 */
function rowsOf(result: pg.QueryResult, secrets: readonly string[]): Row[] {
  const padded = result.fields.filter((field) => field.dataTypeID === BPCHAR && secrets.includes(field.name)).map((field) => field.name);
  for (const row of padded.length > 0 ? result.rows : []) {
    for (const name of padded) if (typeof row[name] === 'string') row[name] = row[name].replace(/ +$/, '');
  }
  return result.rows;
}

/**
 * The legacy directory on PostgreSQL. With `shared`, it queries an existing pool (the demo keeps its
 * users in the bridge database); otherwise it opens its own pool from `config.url`.
 */
export function createPostgresDirectory(config: LegacyConfig, shared?: Queryable): LegacyDirectory {
  const secrets = [config.columns.passwordHash, config.columns.salt].filter((name) => name !== undefined);
  let connection: SqlConnection;
  if (shared) {
    connection = { query: async (sql, params) => rowsOf(await shared.query(sql, [...params]), secrets), close: async () => {} };
  } else {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
      query_timeout: config.queryTimeoutMs,
    });
    // A dropped idle connection must not crash the process; the next query reports the outage.
    pool.on('error', () => {});
    connection = { query: async (sql, params) => rowsOf(await pool.query(prepared(sql, [...params])), secrets), close: () => pool.end() };
  }
  return createSqlDirectory(config, postgresDialect, connection);
}
