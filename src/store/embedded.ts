import type { Worker } from 'node:worker_threads';
import pg from 'pg';
import { DatabaseError } from 'pg-protocol';
import { spawnWorker } from '../runtime/worker-thread.js';
import { lockDataDir } from './data-dir.js';
import type { Database, Queryable } from './database.js';
import type { EmbeddedReply, EmbeddedRequest, ErrorReply } from './embedded-worker.js';

/** A value as PostgreSQL's text format expects it (the conversions node-postgres applies). */
function toText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (Array.isArray(value)) return `{${value.map((item) => (item === null ? 'NULL' : `"${String(toText(item)).replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * PGlite is one session, so a transaction owns it from BEGIN to COMMIT: statements asked for meanwhile
 * wait until it ends, in the order they were asked for. Other statements go to the database thread at
 * once; it runs them one at a time in the order they arrive, so it keeps working while this thread is busy
 * instead of waiting for it to hand over the next one.
 */
class Session {
  #transactions: Promise<void> | undefined;

  statement<T>(run: () => Promise<T>): Promise<T> {
    return this.#transactions ? this.#transactions.then(run) : run();
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = (this.#transactions ?? Promise.resolve()).then(work);
    const ended = result.then(
      () => {},
      () => {},
    );
    this.#transactions = ended;
    void ended.then(() => {
      if (this.#transactions === ended) this.#transactions = undefined;
    });
    return result;
  }
}

type Request = EmbeddedRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * The main thread's end of the database thread: one promise per request, all of them rejected if the
 * thread dies. The thread holds the event loop only while a request is out, so an idle database never
 * keeps the process alive.
 */
class DatabaseThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (reply: EmbeddedReply) => void; reject: (error: Error) => void }>();
  #next = 1;
  #stopped: Error | undefined;
  /** Stopped by a crash rather than by close(). */
  #crashed = false;

  constructor() {
    this.#worker = spawnWorker(new URL('./embedded-worker.js', import.meta.url));
    this.#worker.unref();
    this.#worker.on('message', (reply: EmbeddedReply) => this.#settle(reply));
    this.#worker.on('error', (error) => this.#stop(new Error(`the embedded database stopped: ${error.message}`), true));
    this.#worker.on('messageerror', (error) => {
      // A reply that cannot be read leaves its request unanswerable; a thread in that state is ended.
      this.#stop(new Error(`the embedded database stopped: ${error.message}`), true);
      void this.#worker.terminate();
    });
    this.#worker.on('exit', (code) => this.#stop(new Error(`the embedded database stopped: its thread exited with code ${code}`), true));
  }

  get worker(): Worker {
    return this.#worker;
  }

  /** The reason it stopped, if a crash stopped it. */
  get crash(): string | undefined {
    return this.#crashed ? this.#stopped?.message : undefined;
  }

  send(request: Request): Promise<EmbeddedReply> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  /** Close the database, then end the thread; after a crash there is nothing left to close. */
  async close(): Promise<void> {
    if (this.#stopped) return this.abandon();
    try {
      await this.send({ close: true });
    } finally {
      this.#stop(new Error('the embedded database is closed'));
      await this.#worker.terminate();
    }
  }

  /** End the thread without closing the database, as when opening it failed. */
  async abandon(): Promise<void> {
    this.#stop(new Error('the embedded database is closed'));
    await this.#worker.terminate();
  }

  #settle(reply: EmbeddedReply): void {
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ('error' in reply) pending.reject(toError(reply.error));
    else pending.resolve(reply);
  }

  #stop(error: Error, crashed = false): void {
    if (this.#stopped) return;
    this.#stopped = error;
    this.#crashed = crashed;
    this.#worker.unref();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const { reject } of pending) reject(error);
  }
}

/** A PostgreSQL error as node-postgres raises it, so callers read `code`, `detail`, `constraint` alike. */
function toError(reply: ErrorReply): Error {
  const { message, database, ...fields } = reply;
  return Object.assign(database ? new DatabaseError(message, 0, 'error') : new Error(message), fields);
}

// For tests only: the thread behind a database, to stop it as a crash would.
const threads = new WeakMap<Database, DatabaseThread>();
export function embeddedThread(db: Database): Worker | undefined {
  return threads.get(db)?.worker;
}

/**
 * The embedded database: PGlite on a thread of its own, behind the same `Queryable` shape as a server
 * pool. Parameterised statements are prepared once and reused, so PostgreSQL plans each query text once
 * instead of on every call (PGlite's own query API re-parses and re-plans each time, several times
 * slower). Rows are decoded with node-postgres' type parsers, so both databases return the same types.
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<Database> {
  const lock = dataDir.startsWith('memory://') ? undefined : lockDataDir(dataDir);
  const thread = new DatabaseThread();
  try {
    await thread.send({ open: { dataDir } });
  } catch (error) {
    await thread.abandon();
    lock?.release();
    throw error;
  }
  const session = new Session();

  async function run(text: string, values?: readonly unknown[]): Promise<pg.QueryResult> {
    const simple = values === undefined || values.length === 0;
    const reply = await thread.send({ text, values: simple ? null : values.map(toText) });
    return decode(reply);
  }

  const inTransaction: Queryable = { query: (text, values) => run(text, values) as never };
  async function transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    await run('BEGIN');
    try {
      const result = await work(inTransaction);
      await run('COMMIT');
      return result;
    } catch (error) {
      await run('ROLLBACK').catch(() => {});
      throw error;
    }
  }

  let closed: Promise<void> | undefined;
  const afterClose = () => Promise.reject(new Error('the embedded database is closed'));
  const db: Database = {
    kind: 'embedded',
    query: (text, values) => (closed ? afterClose() : session.statement(() => run(text, values))) as never,
    transaction: (work) => (closed ? afterClose() : session.exclusive(() => transaction(work))),
    close() {
      // After the statements already asked for, which the thread answers first.
      closed ??= session.exclusive(() => thread.close()).finally(() => lock?.release());
      return closed;
    },
    broken: () => thread.crash,
  };
  threads.set(db, thread);
  return db;
}

function decode(reply: EmbeddedReply): pg.QueryResult {
  if (!('rows' in reply)) return toResult([], 0);
  for (const [name, type] of reply.text ?? []) {
    const parse = pg.types.getTypeParser(type, 'text');
    for (const row of reply.rows) if (row[name] !== null) row[name] = parse(row[name] as string);
  }
  return toResult(reply.rows, reply.rowCount);
}

function toResult(rows: pg.QueryResultRow[], rowCount: number): pg.QueryResult {
  return { rows, rowCount: rowCount || rows.length, command: '', oid: 0, fields: [] };
}
