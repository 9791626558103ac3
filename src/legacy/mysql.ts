import mysql, { type RowDataPacket, type TypeCast } from 'mysql2/promise';
import type { LegacyConfig } from '../config/schema.js';
import type { LegacyDirectory } from './directory.js';
import { createSqlDirectory, type SqlConnection, type SqlDialect } from './sql-directory.js';

export const mysqlDialect: SqlDialect = {
  name: 'MySQL',
  quoteIdentifier: (name) => `\`${name.replaceAll('`', '``')}\``,
  // Positional: the shared SQL asks for a placeholder per use of the login name and repeats the value to match.
  placeholder: () => '?',
  isInvalidValue: (error, values) => {
    const errno = (error as { errno?: number })?.errno ?? 0;
    // A SELECT only warns about a value it cannot convert (findById checks the id it gets back instead);
    // these are the errors the same conversion raises where a server escalates it.
    // 1292: ER_TRUNCATED_WRONG_VALUE, 1366: ER_TRUNCATED_WRONG_VALUE_FOR_FIELD.
    if (errno === 1292 || errno === 1366) return true;
    // "Illegal mix of collations" (1267, 1270, 1271): the value has a character the column's character set
    // (latin1, utf8mb3) cannot hold, so no row has it. ASCII fits every character set: over ASCII values the
    // error is the configuration's (e.g. a disabledWhen mixing collations), an outage to report.
    return [1267, 1270, 1271].includes(errno) && values.some((value) => typeof value === 'string' && /[^\x00-\x7f]/.test(value));
  },
  // `_ci` collations (the default) ignore case even for `=`. An explicit binary collation on the parameter wins
  // over the column's, whatever the column's character set (BINARY ? would compare latin1 bytes with UTF-8).
  exactEquals: (column, name) => asText(column, (side) => `${side} = ${name()} COLLATE utf8mb4_bin`),
  // The column's own `_ci` collation already ignores case, and keeps its index in use: LOWER() would make
  // every login read the whole table. (A `_bin` column compares exactly; explicit queries can use LOWER().)
  caseInsensitiveEquals: (column, name) => asText(column, (side) => `${side} = ${name()}`),
};

/**
 * A comparison with a login column made as text: against a number column MySQL compares numbers, and
 * 'no-such-user' matches 0, '1002abc' 1002. CONCAT(column) is the column as text in its own collation (CAST
 * would take the connection's); the plain comparison beside it keeps an index on a text column in use.
 */
function asText(column: string, equals: (side: string) => string): string {
  return `(${equals(column)} AND ${equals(`CONCAT(${column})`)})`;
}

/** What execute() binds; the shared code passes strings, numbers and null. */
type ExecuteValues = Parameters<mysql.PoolConnection['execute']>[1];

const TEMPORAL = new Set(['DATE', 'DATETIME', 'DATETIME2', 'TIMESTAMP', 'TIMESTAMP2', 'NEWDATE']);

/** A BIT(n) value's big-endian bytes as a number, or as exact decimal text beyond 2^53 (as BIGINTs arrive). */
function bitValue(bytes: Buffer | null): number | string | null {
  if (bytes === null) return null;
  const value = bytes.reduce((sum, byte) => (sum << 8n) | BigInt(byte), 0n);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

// Dates stay text (no time-zone conversion); MySQL's zero date ('0000-00-00 …') is its old NULL, not a date.
// BIT columns become numbers, so that every other Buffer (VARBINARY, BLOB) can be read as the text it holds.
const typeCast: TypeCast = (field, next) => {
  if (field.type === 'BIT') return bitValue(field.buffer());
  const value = next();
  return TEMPORAL.has(field.type) && typeof value === 'string' && value.startsWith('0000-00-00') ? null : value;
};

/** Settles like `promise`, or rejects with ETIMEDOUT after `ms`; a value arriving later goes to `late`. */
function within<T>(promise: Promise<T>, ms: number, what: string, late: (value: T) => void = () => {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      reject(Object.assign(new Error(`${what} took longer than ${ms} ms`), { code: 'ETIMEDOUT' }));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (expired) late(value);
        else resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** An error the server answered with (bad SQL, unknown column): the connection itself is fine. */
function isStatementError(error: unknown): boolean {
  const e = error as { sqlState?: unknown; fatal?: unknown };
  return typeof e?.sqlState === 'string' && e.fatal !== true;
}

/** The legacy directory on MySQL or MariaDB (`mysql://` or `mariadb://` URL), with its own pool. */
export function createMysqlDirectory(config: LegacyConfig): LegacyDirectory {
  if (!config.url) throw new Error('legacy.url is required for a MySQL/MariaDB legacy database');
  const pool = mysql.createPool({
    // Further driver options (e.g. ssl) may come as URL parameters: mysql://u:p@host/db?ssl={"rejectUnauthorized":true}
    uri: config.url,
    connectionLimit: config.poolSize,
    maxIdle: config.poolSize,
    connectTimeout: config.connectTimeoutMs,
    enableKeepAlive: true,
    charset: 'utf8mb4',
    dateStrings: true,
    typeCast,
    // BIGINT UNSIGNED keys beyond 2^53 arrive as exact decimal strings: `sub` is the key, digit for digit.
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  // A connection that breaks while idle (server restart, wait_timeout, network) emits 'error' and leaves the
  // pool; without a listener that would crash the process. The next query opens a new one or reports the outage.
  pool.pool.on('connection', (connection) => connection.on('error', () => {}));

  const connection: SqlConnection = {
    async query(sql, params) {
      // mysql2's pool waits for a free connection without limit, and its per-query `timeout` starts only once
      // the statement is prepared and leaves the connection busy. So: bounded waits here, and a connection
      // that timed out or broke is destroyed, never reused.
      const conn = await within(pool.getConnection(), config.connectTimeoutMs, 'getting a legacy database connection', (late) => late.release());
      let reusable = true;
      try {
        // execute(): a server-side prepared statement; values never become SQL text. Client-side formatting
        // (query() with values) escapes with backslashes, which NO_BACKSLASH_ESCAPES turns into an injection,
        // and it rewrites every `?`, even one inside a string literal of an explicit query. LIMIT ? takes the
        // number as a bound integer parameter on MariaDB 10.11 and MySQL 8.
        const [rows] = await within(conn.execute<RowDataPacket[]>(sql, [...params] as ExecuteValues), config.queryTimeoutMs, 'legacy database query');
        return rows;
      } catch (error) {
        reusable = isStatementError(error);
        throw error;
      } finally {
        if (reusable) conn.release();
        else conn.destroy();
      }
    },
    close: () => pool.end(),
  };

  return createSqlDirectory(config, mysqlDialect, connection);
}
