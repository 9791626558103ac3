import pg from 'pg';
import type { LegacyConfig } from '../config/schema.js';
import { prepared, type Queryable } from '../store/database.js';
import type { LegacyDirectory } from './directory.js';
import type { Row } from './row.js';
import { createSqlDirectory, type SqlConnection, type SqlDialect } from './sql-directory.js';

/** Types whose values compare with a typed name as they are; citext ignores case, char(n) trailing spaces. */
const TEXT_TYPES = new Set(['text', 'varchar', 'bpchar', 'citext']);
/** Integer types, by the bound their values stay below. */
const INTEGER_BOUNDS = new Map([['int2', 2n ** 15n], ['int4', 2n ** 31n], ['int8', 2n ** 63n]]);

/** Whether `login` is the text of an integer of a type with `bound`, as PostgreSQL writes it (no '01', '+1', '-0'). */
function isIntegerText(login: string, bound: bigint): boolean {
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(login)) return false;
  const value = BigInt(login);
  return value < bound && value >= -bound;
}

/**
 * Each column of a table and its type (a domain's: the type it is over). `to_regclass` reads the table name
 * as the statements do, schema-qualified or through the search_path.
 */
const COLUMN_TYPES = `WITH RECURSIVE col AS (
    SELECT a.attname, a.atttypid AS type FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
    SELECT col.attname, t.typbasetype FROM col JOIN pg_catalog.pg_type t ON t.oid = col.type AND t.typtype = 'd')
  SELECT col.attname AS column_name, t.typname AS type_name FROM col JOIN pg_catalog.pg_type t ON t.oid = col.type AND t.typtype <> 'd'`;

/** SQLSTATE classes of a connection that broke or a server that is busy or going down: worth asking again. */
const TRANSIENT = /^(08|53|57)/;

export const postgresDialect: SqlDialect = {
  name: 'PostgreSQL',
  quoteIdentifier: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  isInvalidValue: (error, _values, statement) => {
    const code = (error as { code?: string })?.code ?? '';
    // 22021: a character the encoding cannot hold, e.g. a NUL byte in a typed id. No user can have it, and it
    // is no outage.
    if (code === '22021') return true;
    // 22P02: invalid text representation, e.g. "abc" for an integer key; 22003: a number out of its range, e.g.
    // 99999999999 for one. Only the lookup by id and an operator's own lookup by login name put a typed value
    // to a column of any type (table mode compares login columns as their type allows); anywhere else these
    // come from the rows (a disabledWhen, say) and are the outage they seem.
    return (statement === 'findById' || statement === 'findByLoginQuery') && (code === '22P02' || code === '22003');
  },
  columnTypes: async (query, table) => {
    try {
      const rows = await query(COLUMN_TYPES, [table]);
      return new Map(rows.map((row) => [String(row.column_name), String(row.type_name)]));
    } catch (error) {
      const code = (error as { code?: unknown })?.code;
      // The server refused (no right to read the catalog): login columns compare as text, as they can.
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !TRANSIENT.test(code)) return undefined;
      throw error;
    }
  },
  // A text column is compared as it is, so its index answers and citext ignores case. A name is compared as
  // text, not cut to 63 bytes. An integer column is compared as a number, with its index; a typed name that is
  // not the text of such a number (loginValue) is NULL there and matches nothing. Any other type, or one not
  // known, is compared as text: there is no integer = text, and the cast is on the column side.
  exactEquals: (column, name, type = '') => {
    if (TEXT_TYPES.has(type) || INTEGER_BOUNDS.has(type)) return `${column} = ${name()}`;
    if (type === 'name') return `${column} = CAST(${name()} AS text)`;
    return `CAST(${column} AS text) = ${name()}`;
  },
  // An index on lower(column) answers this (the README asks for one). Digits have no case.
  caseInsensitiveEquals: (column, name, type = '') => {
    if (INTEGER_BOUNDS.has(type)) return `${column} = ${name()}`;
    if (TEXT_TYPES.has(type) || type === 'name') return `LOWER(${column}) = LOWER(${name()})`;
    return `LOWER(CAST(${column} AS text)) = LOWER(${name()})`;
  },
  loginValue: (login, type = '') => {
    const bound = INTEGER_BOUNDS.get(type);
    return bound === undefined || isIntegerText(login, bound) ? login : null;
  },
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
