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

async function openServer(url: string, poolSize: number, queryTimeoutMs: number): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5000,
    query_timeout: queryTimeoutMs,
    // A server gone without a reset (a dead network) is noticed within a minute, not the kernel's fifteen.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(`cannot reach the bridge database (${describeUrl(url)}): ${(error as Error).message}`);
  }
  return wrapPool(pool, 'server', async () => pool.end());
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

function wrapPool(pool: pg.Pool, kind: Database['kind'], close: () => Promise<void>): Database {
  let closed: Promise<void> | undefined;
  return {
    kind,
    query: (text, values) => pool.query(prepared(text, values)),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work({ query: (text, values) => client.query(prepared(text, values)) });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
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
