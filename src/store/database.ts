import { createHash } from 'node:crypto';
import pg from 'pg';
import { openEmbeddedDatabase } from './embedded.js';

/** The one query shape every part uses: a `pg.Pool`, a pooled client, or a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** The bridge's own database: a PostgreSQL server or the embedded PGlite, behind the same `pg.Pool`. */
export interface Database extends Queryable {
  readonly kind: 'server' | 'embedded';
  /** Run `work` in one transaction; rolled back if it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Why this database can never answer again in this process, if so (the embedded database's thread died);
   * a server pool reconnects by itself and is never broken.
   */
  broken?(): string | undefined;
  /**
   * Run `work` on a connection of its own with no query timeout, for schema migrations: one rewriting a big
   * table may take longer than any timeout fit for a request, and cut short it would never complete. Absent
   * where there is no timeout (the embedded database).
   */
  dedicated?<T>(work: (connection: Pick<Database, 'query' | 'transaction'>) => Promise<T>): Promise<T>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; unset means the embedded database in `dataDir`. */
  readonly url?: string | undefined;
  /** Folder of the embedded database; `memory://` keeps it in memory. */
  readonly dataDir: string;
  readonly poolSize: number;
  /** A server query not answered within this fails instead of holding its request (and shutdown) forever. */
  readonly queryTimeoutMs?: number;
}

export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNAVAILABLE';
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openServer(options.url, options.poolSize, options.queryTimeoutMs ?? 30_000);
  return openEmbedded(options.dataDir);
}

/** Every connection to the server: a server gone without a reset (a dead network) is noticed within a minute, not the kernel's fifteen. */
const CONNECTION_OPTIONS = { connectionTimeoutMillis: 5000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 } as const;

async function openServer(url: string, poolSize: number, queryTimeoutMs: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, query_timeout: queryTimeoutMs, ...CONNECTION_OPTIONS });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(`cannot reach the bridge database (${describeUrl(url)}): ${(error as Error).message}`);
  }
  return { ...wrapPool(pool, poolSize, async () => pool.end()), dedicated: (work) => dedicated(url, work) };
}

async function dedicated<T>(url: string, work: (connection: Pick<Database, 'query' | 'transaction'>) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, ...CONNECTION_OPTIONS });
  // A lost connection fails the statement under way; it must not crash the process as well.
  client.on('error', () => {});
  try {
    await client.connect();
    // Nor a limit the server applies to this role or database.
    await client.query('SET statement_timeout = 0');
    return await work({
      query: (text, values) => client.query(prepared(text, values)),
      transaction: (inner) => inTransaction(client, inner),
    });
  } finally {
    await client.end().catch(() => {});
  }
}

async function openEmbedded(dataDir: string): Promise<Database> {
  try {
    // Commits wait for their write-ahead log (PostgreSQL's default): PGlite has no background writer, so
    // with synchronous_commit off a commit could stay in its memory indefinitely and vanish with the process.
    return await openEmbeddedDatabase(dataDir);
  } catch (error) {
    throw new DatabaseUnavailableError(`cannot open the embedded database in ${dataDir}: ${(error as Error).message}`);
  }
}

/**
 * Parameterised statements run as named prepared statements, so the server plans each query text once
 * per connection. The name is derived from the text, so every connection agrees on it.
 */
export function prepared(text: string, values: unknown[] | undefined): pg.QueryConfig {
  if (!values || values.length === 0) return { text };
  return { name: `b_${createHash('sha1').update(text).digest('base64url')}`, text, values };
}

/**
 * "cached plan must not change result type": another replica's migration changed what a prepared statement
 * returns. That connection's statement can never run again; another connection prepares it afresh.
 */
function isStalePlan(error: unknown): boolean {
  return (error as { code?: unknown }).code === '0A000' && (error as { routine?: unknown }).routine === 'RevalidateCachedQuery';
}

async function inTransaction<T>(client: pg.ClientBase, work: (tx: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work({ query: (text, values) => client.query(prepared(text, values)) });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

function wrapPool(pool: pg.Pool, poolSize: number, close: () => Promise<void>): Omit<Database, 'dedicated'> {
  let closed: Promise<void> | undefined;
  return {
    kind: 'server',
    async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
      const config = prepared(text, values);
      // pool.query drops a connection whose statement failed, so each try meets another one.
      for (let attempt = 0; ; attempt += 1) {
        try {
          return await pool.query<R>(config);
        } catch (error) {
          if (!config.name || !isStalePlan(error) || attempt >= poolSize) throw error;
        }
      }
    },
    async transaction(work) {
      const client = await pool.connect();
      let stale: Error | undefined;
      try {
        return await inTransaction(client, work);
      } catch (error) {
        // The transaction's work cannot be replayed from here; the connection at least is not reused.
        if (isStalePlan(error)) stale = error as Error;
        throw error;
      } finally {
        client.release(stale);
      }
    },
    close() {
      closed ??= close();
      return closed;
    },
  };
}

/** A URL fit for messages: host, port and database, never the password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}
