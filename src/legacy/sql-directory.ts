import type { LegacyConfig } from '../config/schema.js';
import { LegacyUnavailableError, type LegacyDirectory, type LegacyUser, type ListOptions } from './directory.js';
import { rowToUser, type Row } from './row.js';

/**
 * The statement a query serves, for `SqlDialect.isInvalidValue`: `findByLoginQuery` is an operator's own
 * lookup by login name, which may put the typed name to a column of any type, as `findById` does the id.
 */
export type StatementKind = 'findByLogin' | 'findByLoginQuery' | 'findById' | 'list' | 'ping';

/** What differs between SQL databases; everything else about a legacy users table is shared. */
export interface SqlDialect {
  readonly name: string;
  quoteIdentifier(name: string): string;
  /** The placeholder for the n-th parameter (1-based). */
  placeholder(index: number): string;
  /**
   * Whether an error means "no row can hold this value" (e.g. text for an integer key): not found. `values` are
   * the query's, `statement` what it serves.
   */
  isInvalidValue(error: unknown, values: readonly unknown[], statement: StatementKind): boolean;
  /**
   * The type of each column of `table` (quoted as in the statements), where a comparison suits the column's type;
   * table mode asks once, at the first lookup by login name. Empty while the table is not found. Undefined when
   * the types cannot be learned (no right to read the catalog): login columns are then compared as text.
   */
  columnTypes?(query: SqlConnection['query'], table: string): Promise<ReadonlyMap<string, string> | undefined>;
  /**
   * A login column compared as text with the typed name exactly (`caseInsensitiveLogin: false`), whatever the
   * column's type (`type` from `columnTypes`, if known); each call of `name()` is a placeholder for the typed name.
   */
  exactEquals(column: string, name: () => string, type?: string): string;
  /** The same ignoring case, in a form the database can answer from an index. */
  caseInsensitiveEquals(column: string, name: () => string, type?: string): string;
  /** What the placeholders of a column of `type` are given for the typed name; `null` where no row can match. */
  loginValue?(login: string, type?: string): string | null;
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

/** A configured table or column name, quoted part by part (`schema.table`). */
function quoted(dialect: SqlDialect, name: string): string {
  return name.split('.').map((part) => dialect.quoteIdentifier(part)).join('.');
}

/**
 * SQL for table mode, built from validated identifiers; user input only ever travels as parameters. `types`
 * holds the columns' types where they are known.
 */
function tableStatements(config: LegacyConfig, dialect: SqlDialect, types: ReadonlyMap<string, string> = new Map()): Statements {
  const q = (name: string) => quoted(dialect, name);
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
    // The type of the column each placeholder is compared with, in placeholder order.
    const placeholders: Array<string | undefined> = [];
    const match = loginColumns
      .map((column) => {
        const type = types.get(column);
        return equals(q(column), () => dialect.placeholder(placeholders.push(type)), type);
      })
      .join(' OR ');
    const value = (login: string, type: string | undefined) => (dialect.loginValue ? dialect.loginValue(login, type) : login);
    // Two rows are fetched so an ambiguous login name is noticed, never resolved by chance.
    return { sql: `${select} WHERE ${match} LIMIT 2`, params: (login) => placeholders.map((type) => value(login, type)) };
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

  // Table mode compares each login column as its type allows once the types are known (an index on a char(n),
  // citext or integer column stays in use, citext stays case-insensitive); until then, or if they cannot be
  // learned, as text. Learned at the first lookup, not at start-up: the demo seeds its table after opening.
  let typed: Promise<Statements> | undefined;
  const learnTypes = async (table: string, columnTypes: NonNullable<SqlDialect['columnTypes']>): Promise<Statements> => {
    try {
      const types = await columnTypes((sql, params) => connection.query(sql, params), quoted(dialect, table));
      if (types?.size === 0) typed = undefined; // no such table (yet): ask again next time
      return types?.size ? tableStatements(config, dialect, types) : statements;
    } catch {
      typed = undefined; // the database did not answer: ask again next time
      return statements;
    }
  };
  const loginStatements = (): Statements | Promise<Statements> => {
    if (config.queries || !config.table || !dialect.columnTypes) return statements;
    typed ??= learnTypes(config.table, dialect.columnTypes);
    return typed;
  };
  const toUser = (row: Row): LegacyUser => {
    const disabledRaw = DISABLED_ALIAS in row ? row[DISABLED_ALIAS] : row.disabled;
    return rowToUser({ ...row, disabled: disabledRaw }, columns);
  };

  async function run(statement: StatementKind, sql: string, params: readonly unknown[]): Promise<Row[] | undefined> {
    try {
      return await connection.query(sql, params);
    } catch (error) {
      if (dialect.isInvalidValue(error, params, statement)) return undefined;
      // No `cause`: a logged error shows its cause's message whole, and the driver's may quote a parameter (a
      // password typed as the login name); describeError has withheld those.
      throw new LegacyUnavailableError(`legacy ${dialect.name} database query failed: ${describeError(error, params)}`);
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
      throw new LegacyUnavailableError(`flagging a legacy user as migrated failed: ${describeError(error, params)}`);
    }
  }

  return {
    async findByLogin(login) {
      // No login name holds control characters; looked up, a NUL reads as an outage on PostgreSQL and is
      // ignored by MySQL's collations (matching another name).
      if (login.length === 0 || login.length > 320 || /[\u0000-\u001f\u007f]/.test(login)) return undefined;
      const { findByLogin, findByLoginEach } = await loginStatements();
      let rows = await run(config.queries ? 'findByLoginQuery' : 'findByLogin', findByLogin.sql, findByLogin.params(login));
      // A name one login column cannot hold (on MySQL, ☃ in a latin1 column) fails the whole statement; the
      // other columns may still hold it.
      if (!rows && findByLoginEach.length > 0) {
        const found = new Map<string, Row>();
        for (const each of findByLoginEach) {
          for (const row of (await run('findByLogin', each.sql, each.params(login))) ?? []) found.set(String(row[columns.id]), row);
        }
        rows = [...found.values()];
      }
      if (!rows || rows.length !== 1) return undefined;
      return toUser(rows[0]!);
    },
    async findById(id) {
      if (id.length === 0 || id.length > 255) return undefined;
      const rows = await run('findById', statements.findById.sql, statements.findById.params(id));
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
      const rows = (await run('list', statement.sql, params)) ?? [];
      return rows.map(toUser);
    },
    ...(config.markMigrated ? { markMigrated: (id: string, zitadelUserId: string | null) => flag(config.markMigrated!, id, zitadelUserId) } : {}),
    async ping() {
      await run('ping', 'SELECT 1', []);
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
