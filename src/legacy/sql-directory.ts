import type { LegacyConfig } from '../config/schema.js';
import { LegacyUnavailableError, type LegacyDirectory, type LegacyUser, type ListOptions } from './directory.js';
import { rowToUser, type Row } from './row.js';

/** What differs between SQL databases; everything else about a legacy users table is shared. */
export interface SqlDialect {
  readonly name: string;
  quoteIdentifier(name: string): string;
  /** The placeholder for the n-th parameter (1-based). */
  placeholder(index: number): string;
  /** Whether an error means "no row can hold this value" (e.g. text for an integer key): not found. `values` are the query's. */
  isInvalidValue(error: unknown, values: readonly unknown[]): boolean;
  /**
   * A login column compared as text with the typed name exactly (`caseInsensitiveLogin: false`), whatever the
   * column's type; each call of `name()` is a placeholder for the typed name.
   */
  exactEquals(column: string, name: () => string): string;
  /** The same ignoring case, in a form the database can answer from an index. */
  caseInsensitiveEquals(column: string, name: () => string): string;
}

/** A connection pool to the legacy database, reduced to what the directory needs. */
export interface SqlConnection {
  query(sql: string, params: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export const DISABLED_ALIAS = 'bridge_disabled';

interface Statements {
  findByLogin: { sql: string; params: (login: string) => unknown[] };
  /** Each login column alone (table mode, several login columns), for a name one of them cannot hold. */
  findByLoginEach: Array<Statements['findByLogin']>;
  findById: { sql: string; params: (id: string) => unknown[] };
  listFirst: { sql: string; params: (limit: number) => unknown[] };
  listAfter: { sql: string; params: (after: string, limit: number) => unknown[] };
}

/** SQL for table mode, built from validated identifiers; user input only ever travels as parameters. */
function tableStatements(config: LegacyConfig, dialect: SqlDialect): Statements {
  const q = (name: string) => name.split('.').map((part) => dialect.quoteIdentifier(part)).join('.');
  const { columns } = config;
  const selected = new Set<string>([columns.id, columns.passwordHash, ...columns.login]);
  for (const [key, column] of Object.entries(columns)) {
    if (key !== 'login' && typeof column === 'string') selected.add(column);
  }
  // A condition that is NULL (e.g. `status <> 'active'` with status NULL) means "not disabled".
  const disabled = config.disabledWhen ? `COALESCE((${config.disabledWhen}), false)` : 'false';
  const select = `SELECT ${[...selected].map(q).join(', ')}, ${disabled} AS ${q(DISABLED_ALIAS)} FROM ${q(config.table)}`;
  const equals = config.caseInsensitiveLogin ? dialect.caseInsensitiveEquals : dialect.exactEquals;
  const byLogin = (loginColumns: readonly string[]): Statements['findByLogin'] => {
    let placeholders = 0;
    const name = () => dialect.placeholder(++placeholders);
    const match = loginColumns.map((column) => equals(q(column), name)).join(' OR ');
    // Two rows are fetched so an ambiguous login name is noticed, never resolved by chance.
    return { sql: `${select} WHERE ${match} LIMIT 2`, params: (login) => Array.from({ length: placeholders }, () => login) };
  };
  const id = q(columns.id);
  return {
    findByLogin: byLogin(columns.login),
    findByLoginEach: columns.login.length > 1 ? columns.login.map((column) => byLogin([column])) : [],
    findById: { sql: `${select} WHERE ${id} = ${dialect.placeholder(1)}`, params: (value) => [value] },
    listFirst: { sql: `${select} ORDER BY ${id} LIMIT ${dialect.placeholder(1)}`, params: (limit) => [limit] },
    listAfter: {
      sql: `${select} WHERE ${id} > ${dialect.placeholder(1)} ORDER BY ${id} LIMIT ${dialect.placeholder(2)}`,
      params: (after, limit) => [after, limit],
    },
  };
}

function queryStatements(queries: NonNullable<LegacyConfig['queries']>): Statements {
  return {
    findByLogin: { sql: queries.findByLogin, params: (login) => [login] },
    findByLoginEach: [],
    findById: { sql: queries.findById, params: (id) => [id] },
    // The first page passes NULL as the previous id.
    listFirst: queries.list ? { sql: queries.list, params: (limit) => [null, limit] } : { sql: '', params: () => [] },
    listAfter: queries.list ? { sql: queries.list, params: (after, limit) => [after, limit] } : { sql: '', params: () => [] },
  };
}

/** A `LegacyDirectory` over any SQL database, given its dialect and a connection. */
export function createSqlDirectory(config: LegacyConfig, dialect: SqlDialect, connection: SqlConnection): LegacyDirectory {
  const statements = config.queries ? queryStatements(config.queries) : tableStatements(config, dialect);
  const columns = config.columns;
  const toUser = (row: Row): LegacyUser => {
    const disabledRaw = DISABLED_ALIAS in row ? row[DISABLED_ALIAS] : row.disabled;
    return rowToUser({ ...row, disabled: disabledRaw }, columns);
  };

  async function run(sql: string, params: readonly unknown[]): Promise<Row[] | undefined> {
    try {
      return await connection.query(sql, params);
    } catch (error) {
      if (dialect.isInvalidValue(error, params)) return undefined;
      throw new LegacyUnavailableError(`legacy ${dialect.name} database query failed: ${describeError(error, params)}`, { cause: error });
    }
  }

  /** The flag statement gets as many parameters as it has placeholders: the legacy id, then the ZITADEL id. */
  async function flag(sql: string, id: string, zitadelUserId: string | null): Promise<void> {
    const used =
      dialect.placeholder(1) === '?' ? (sql.match(/\?/g) ?? []).length : Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    const params = [id, zitadelUserId].slice(0, Math.min(used, 2));
    try {
      await connection.query(sql, params);
    } catch (error) {
      throw new LegacyUnavailableError(`flagging a legacy user as migrated failed: ${describeError(error, params)}`, { cause: error });
    }
  }

  return {
    async findByLogin(login) {
      // No login name holds control characters; looked up, a NUL reads as an outage on PostgreSQL and is
      // ignored by MySQL's collations (matching another name).
      if (login.length === 0 || login.length > 320 || /[\u0000-\u001f\u007f]/.test(login)) return undefined;
      let rows = await run(statements.findByLogin.sql, statements.findByLogin.params(login));
      // A name one login column cannot hold (on MySQL, ☃ in a latin1 column) fails the whole statement; the
      // other columns may still hold it.
      if (!rows && statements.findByLoginEach.length > 0) {
        const found = new Map<string, Row>();
        for (const each of statements.findByLoginEach) {
          for (const row of (await run(each.sql, each.params(login))) ?? []) found.set(String(row[columns.id]), row);
        }
        rows = [...found.values()];
      }
      if (!rows || rows.length !== 1) return undefined;
      return toUser(rows[0]!);
    },
    async findById(id) {
      if (id.length === 0 || id.length > 255) return undefined;
      const rows = await run(statements.findById.sql, statements.findById.params(id));
      const user = rows?.[0] ? toUser(rows[0]) : undefined;
      // Databases convert text to a numeric key ('01', ' 1', MySQL even '1 OR 1=1' → 1); `sub` is exact,
      // so only the row whose key reads back as the id asked for counts.
      return user?.id === id ? user : undefined;
    },
    async list({ after, limit }: ListOptions) {
      if (config.queries && !config.queries.list) {
        throw new LegacyUnavailableError('listing users needs legacy.queries.list when explicit queries are configured');
      }
      const statement = after === undefined ? statements.listFirst : statements.listAfter;
      const params = after === undefined ? statements.listFirst.params(limit) : statements.listAfter.params(after, limit);
      const rows = (await run(statement.sql, params)) ?? [];
      return rows.map(toUser);
    },
    ...(config.markMigrated ? { markMigrated: (id: string, zitadelUserId: string | null) => flag(config.markMigrated!, id, zitadelUserId) } : {}),
    async ping() {
      await run('SELECT 1', []);
    },
    close: () => connection.close(),
  };
}

/**
 * A database error reduced to its kind: its code and the driver's first message line, never query parameters.
 * Servers quote a value they cannot use ('invalid input syntax for type integer: "…"'), so each of `values`
 * is cut out of the message.
 */
export function describeError(error: unknown, values: readonly unknown[] = []): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  let message = (typeof e?.message === 'string' ? e.message.split('\n')[0] : String(error)) || 'unknown error';
  for (const value of values) if (typeof value === 'string' && value !== '') message = withhold(message, value);
  return code ? `${code} ${message}` : message;
}

/**
 * `message` with `value` replaced by '…' where it is quoted, also cut short (MySQL shortens long values).
 * Only quoted: an id such as '1' must not garble "connect ECONNREFUSED 127.0.0.1:5432".
 */
function withhold(message: string, value: string): string {
  const head = value.slice(0, 8);
  let result = '';
  let from = 0;
  for (let at = message.indexOf(head); at !== -1; at = message.indexOf(head, at + 1)) {
    const before = message[at - 1];
    if (at < from || (before !== '"' && before !== "'")) continue;
    let end = at + head.length;
    while (end - at < value.length && message[end] === value[end - at]) end++;
    result += `${message.slice(from, at)}…`;
    from = end;
  }
  return result + message.slice(from);
}
