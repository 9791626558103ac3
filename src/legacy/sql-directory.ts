import type { LegacyConfig } from '../config/schema.js';
import { LegacyUnavailableError, type LegacyDirectory, type LegacyUser, type ListOptions } from './directory.js';
import { rowToUser, type Row } from './row.js';

/** What differs between SQL databases; everything else about a legacy users table is shared. */
export interface SqlDialect {
  readonly name: string;
  quoteIdentifier(name: string): string;
  /** The placeholder for the n-th parameter (1-based). */
  placeholder(index: number): string;
  /** Whether an error means "this value cannot be an id here" (e.g. text for an integer key): not found. */
  isInvalidValue(error: unknown): boolean;
  /** A login column compared with the typed name exactly (`caseInsensitiveLogin: false`). */
  exactEquals(column: string, placeholder: string): string;
  /** A login column compared with the typed name ignoring case, in a form the database can answer from an index. */
  caseInsensitiveEquals(column: string, placeholder: string): string;
}

/** A connection pool to the legacy database, reduced to what the directory needs. */
export interface SqlConnection {
  query(sql: string, params: readonly unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

export const DISABLED_ALIAS = 'bridge_disabled';

interface Statements {
  findByLogin: { sql: string; params: (login: string) => unknown[] };
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
  const loginMatch = columns.login
    .map((column, i) =>
      config.caseInsensitiveLogin ? dialect.caseInsensitiveEquals(q(column), dialect.placeholder(i + 1)) : dialect.exactEquals(q(column), dialect.placeholder(i + 1)),
    )
    .join(' OR ');
  const id = q(columns.id);
  return {
    // Two rows are fetched so an ambiguous login name is noticed, never resolved by chance.
    findByLogin: { sql: `${select} WHERE ${loginMatch} LIMIT 2`, params: (login) => columns.login.map(() => login) },
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
      if (dialect.isInvalidValue(error)) return undefined;
      throw new LegacyUnavailableError(`legacy ${dialect.name} database query failed: ${describeError(error)}`, { cause: error });
    }
  }

  /** The flag statement gets as many parameters as it has placeholders: the legacy id, then the ZITADEL id. */
  async function flag(sql: string, id: string, zitadelUserId: string | null): Promise<void> {
    const used =
      dialect.placeholder(1) === '?' ? (sql.match(/\?/g) ?? []).length : Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    try {
      await connection.query(sql, [id, zitadelUserId].slice(0, Math.min(used, 2)));
    } catch (error) {
      throw new LegacyUnavailableError(`flagging a legacy user as migrated failed: ${describeError(error)}`, { cause: error });
    }
  }

  return {
    async findByLogin(login) {
      // No login name holds control characters; looked up, a NUL reads as an outage on PostgreSQL and is
      // ignored by MySQL's collations (matching another name).
      if (login.length === 0 || login.length > 320 || /[\u0000-\u001f\u007f]/.test(login)) return undefined;
      const rows = await run(statements.findByLogin.sql, statements.findByLogin.params(login));
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

/** A database error reduced to its kind: codes and driver messages, never query parameters. */
export function describeError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : String(error);
  return code ? `${code} ${message}` : (message ?? 'unknown error');
}
