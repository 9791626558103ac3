import pg from 'pg';
import type { LegacyConfig } from '../config/schema.js';
import { prepared, type Queryable } from '../store/database.js';
import type { LegacyDirectory } from './directory.js';
import { createSqlDirectory, type SqlConnection, type SqlDialect } from './sql-directory.js';

export const postgresDialect: SqlDialect = {
  name: 'PostgreSQL',
  quoteIdentifier: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  // 22P02: invalid text representation, e.g. "abc" for an integer key. 22021: a character the encoding
  // cannot hold, e.g. a NUL byte in a typed login name; no user can have it, and it is no outage.
  isInvalidValue: (error) => ['22P02', '22021'].includes((error as { code?: string })?.code ?? ''),
  exactEquals: (column, placeholder) => `${column} = ${placeholder}`,
  // An index on lower(column) answers this (the README asks for one).
  caseInsensitiveEquals: (column, placeholder) => `LOWER(${column}) = LOWER(${placeholder})`,
};

/**
 * The legacy directory on PostgreSQL. With `shared`, it queries an existing pool (the demo keeps its
 * users in the bridge database); otherwise it opens its own pool from `config.url`.
 */
export function createPostgresDirectory(config: LegacyConfig, shared?: Queryable): LegacyDirectory {
  let connection: SqlConnection;
  if (shared) {
    connection = { query: async (sql, params) => (await shared.query(sql, [...params])).rows, close: async () => {} };
  } else {
    const pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
      query_timeout: config.queryTimeoutMs,
    });
    // A dropped idle connection must not crash the process; the next query reports the outage.
    pool.on('error', () => {});
    connection = { query: async (sql, params) => (await pool.query(prepared(sql, [...params]))).rows, close: () => pool.end() };
  }
  return createSqlDirectory(config, postgresDialect, connection);
}
