import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import type { Database, Queryable } from './database.js';

/** Prepared statements kept per text; plenty for the bridge's fixed set of queries. */
const STATEMENT_CACHE_SIZE = 256;

interface BackendMessage {
  readonly name: string;
  readonly fields?: Array<{ name: string; dataTypeID: number }> | Array<string | null>;
  readonly text?: string;
}

/** A value as PostgreSQL's text format expects it (the conversions node-postgres applies). */
function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return `{${value.map((item) => (item === null ? 'NULL' : `"${String(toText(item)).replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Serialises access: PGlite is one session, so one statement (or one transaction) runs at a time. */
class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => {});
    return result;
  }
}

/**
 * The embedded database: PGlite in this process, behind the same `Queryable` shape as a server pool.
 * Parameterised statements are prepared once and reused, so PostgreSQL plans each query text once
 * instead of on every call (PGlite's own query API re-parses and re-plans each time, several times
 * slower). Rows are decoded with node-postgres' type parsers, so both databases return the same types.
 */
export async function openEmbeddedDatabase(dataDir: string, open: (dataDir: string) => Promise<PGlite>): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const pglite = await open(dataDir);
  const mutex = new Mutex();
  const prepared = new Map<string, string>();
  let sequence = 0;

  async function run(text: string, values: readonly unknown[] | undefined, inTransaction: boolean): Promise<pg.QueryResult> {
    if (values === undefined || values.length === 0) {
      // Parameterless text may hold several statements (migrations); the simple protocol runs them all.
      const results = await pglite.exec(text);
      const last = results[results.length - 1];
      return toResult((last?.rows ?? []) as pg.QueryResultRow[], last?.affectedRows ?? 0);
    }
    let name = prepared.get(text);
    const messages: Buffer[] = [];
    const parse = name === undefined;
    if (parse && prepared.size < STATEMENT_CACHE_SIZE) {
      name = `bridge_${(sequence += 1)}`;
      prepared.set(text, name);
    }
    if (parse) messages.push(serialize.parse({ name: name ?? '', text, types: [] }));
    messages.push(
      serialize.bind({ statement: name ?? '', values: (values ?? []).map(toText) }),
      serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}),
      serialize.sync(),
    );
    let replies: BackendMessage[];
    try {
      ({ messages: replies } = (await pglite.execProtocol(Buffer.concat(messages), { syncToFs: !inTransaction })) as unknown as {
        messages: BackendMessage[];
      });
    } catch (error) {
      // A statement whose preparation failed does not exist; forget its name.
      if (parse && name) prepared.delete(text);
      throw error;
    }
    return decode(replies);
  }

  const queryable = (inTransaction: boolean): Queryable => ({
    query: (text, values) => run(text, values, inTransaction) as never,
  });

  let closed: Promise<void> | undefined;
  return {
    kind: 'embedded',
    query: (text, values) => mutex.run(() => run(text, values, false)) as never,
    transaction: (work) =>
      mutex.run(async () => {
        await run('BEGIN', undefined, true);
        try {
          const result = await work(queryable(true));
          await run('COMMIT', undefined, false);
          return result;
        } catch (error) {
          await run('ROLLBACK', undefined, false).catch(() => {});
          throw error;
        }
      }),
    close() {
      // PGlite holds its files open until closed explicitly.
      closed ??= mutex.run(() => pglite.close());
      return closed;
    },
  };
}

function decode(replies: readonly BackendMessage[]): pg.QueryResult {
  let fields: Array<{ name: string; dataTypeID: number }> = [];
  const rows: pg.QueryResultRow[] = [];
  let rowCount = 0;
  for (const reply of replies) {
    if (reply.name === 'rowDescription') {
      fields = reply.fields as Array<{ name: string; dataTypeID: number }>;
    } else if (reply.name === 'dataRow') {
      const row: pg.QueryResultRow = {};
      (reply.fields as Array<string | null>).forEach((value, i) => {
        const field = fields[i]!;
        row[field.name] = value === null ? null : pg.types.getTypeParser(field.dataTypeID, 'text')(value);
      });
      rows.push(row);
    } else if (reply.name === 'commandComplete') {
      // "INSERT 0 3", "UPDATE 2", "SELECT 5": the count is the last word.
      const count = Number(reply.text?.split(' ').pop());
      rowCount = Number.isFinite(count) ? count : rows.length;
    }
  }
  return toResult(rows, rowCount);
}

function toResult(rows: pg.QueryResultRow[], rowCount: number): pg.QueryResult {
  return { rows, rowCount: rowCount || rows.length, command: '', oid: 0, fields: [] };
}
