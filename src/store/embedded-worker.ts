import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { serialize } from 'pg-protocol';

/**
 * The embedded database's own thread: PGlite (WebAssembly PostgreSQL, its protocol parser and its file
 * system) runs here, so the main thread only posts statements and receives their rows. Requests are
 * handled one at a time, in order: PGlite is one session.
 */

export type EmbeddedRequest =
  | { readonly id: number; readonly open: { readonly dataDir: string } }
  /** `values: null` runs `text` with the simple protocol (it may hold several statements). */
  | { readonly id: number; readonly text: string; readonly values: ReadonlyArray<string | null> | null }
  | { readonly id: number; readonly close: true };

/** The fields of a PostgreSQL error worth keeping: callers branch on `code`, logs want the rest. */
const ERROR_FIELDS = [
  'severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table',
  'column', 'dataType', 'constraint', 'file', 'line', 'routine', 'query',
] as const;

export type ErrorReply = { message: string; database: boolean } & { [K in (typeof ERROR_FIELDS)[number]]?: string };

export type EmbeddedReply =
  /** `text` names the columns left in PostgreSQL's text format for the caller to decode. */
  | {
      readonly id: number;
      readonly rows: Array<Record<string, unknown>>;
      readonly rowCount: number;
      readonly text?: Array<[name: string, type: number]>;
    }
  | { readonly id: number; readonly done: true }
  | { readonly id: number; readonly error: ErrorReply };

/**
 * Types whose decoded values lose their class crossing threads (Buffer becomes a plain Uint8Array, an
 * interval loses its methods): the caller decodes them, so both databases still return the same types.
 */
const DECODED_BY_CALLER = new Set([17, 1001, 1186, 1187]);

/** Prepared statements kept per text; plenty for the bridge's fixed set of queries. */
const STATEMENT_CACHE_SIZE = 256;

interface BackendMessage {
  readonly name: string;
  readonly fields?: Array<{ name: string; dataTypeID: number }> | Array<string | null>;
  readonly text?: string;
}

const port = parentPort;
let pglite: PGlite | undefined;
const prepared = new Map<string, string>();
let sequence = 0;

async function open(dataDir: string): Promise<void> {
  // The caller has made the folder and holds its lock.
  pglite = await PGlite.create(dataDir);
}

async function run(db: PGlite, request: Extract<EmbeddedRequest, { text: string }>): Promise<EmbeddedReply> {
  const { id, text, values } = request;
  if (values === null) {
    // Parameterless text may hold several statements (migrations); the simple protocol runs them all.
    const results = await db.exec(text);
    const last = results[results.length - 1];
    return { id, rows: (last?.rows ?? []) as Array<Record<string, unknown>>, rowCount: last?.affectedRows ?? 0 };
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
    serialize.bind({ statement: name ?? '', values: values as Array<string | null> }),
    serialize.describe({ type: 'P', name: '' }),
    serialize.execute({}),
    serialize.sync(),
  );
  let replies: BackendMessage[];
  try {
    // On Node, PGlite's files are the data folder itself (or memory): its sync step has nothing to copy and
    // only costs a lock and more turns of the event loop.
    ({ messages: replies } = (await db.execProtocol(Buffer.concat(messages), { syncToFs: false })) as unknown as {
      messages: BackendMessage[];
    });
  } catch (error) {
    // A statement whose preparation failed does not exist; forget its name.
    if (parse && name) prepared.delete(text);
    throw error;
  }
  return decode(id, replies);
}

/**
 * Rows decoded here with node-postgres' type parsers: receiving decoded objects costs the main thread less
 * than decoding the text there (JSON.parse, dates).
 */
function decode(id: number, replies: readonly BackendMessage[]): EmbeddedReply {
  let names: string[] = [];
  let parsers: Array<((value: string) => unknown) | undefined> = [];
  let text: Array<[string, number]> | undefined;
  const rows: Array<Record<string, unknown>> = [];
  let rowCount = 0;
  for (const reply of replies) {
    if (reply.name === 'rowDescription') {
      const fields = reply.fields as Array<{ name: string; dataTypeID: number }>;
      names = fields.map((field) => field.name);
      parsers = fields.map(({ dataTypeID }) => (DECODED_BY_CALLER.has(dataTypeID) ? undefined : pg.types.getTypeParser(dataTypeID, 'text')));
      // By name, as a row holds it: of two columns with one name, the last one counts.
      const last = new Map(fields.map((field) => [field.name, field.dataTypeID]));
      text = [...last].filter(([, type]) => DECODED_BY_CALLER.has(type));
    } else if (reply.name === 'dataRow') {
      const values = reply.fields as Array<string | null>;
      const row: Record<string, unknown> = {};
      for (let i = 0; i < values.length; i += 1) {
        const value = values[i];
        const parse = parsers[i];
        row[names[i]!] = value === null || value === undefined ? null : parse ? parse(value) : value;
      }
      rows.push(row);
    } else if (reply.name === 'commandComplete') {
      // "INSERT 0 3", "UPDATE 2", "SELECT 5": the count is the last word.
      const count = Number(reply.text?.split(' ').pop());
      rowCount = Number.isFinite(count) ? count : rows.length;
    }
  }
  return text?.length ? { id, rows, rowCount, text } : { id, rows, rowCount };
}

function describeError(error: unknown): ErrorReply {
  if (!(error instanceof Error)) return { message: String(error), database: false };
  // PostgreSQL reports a severity with every error; system errors (a folder that cannot be made) carry a code only.
  const reply: ErrorReply = { message: error.message, database: typeof (error as { severity?: unknown }).severity === 'string' };
  for (const field of ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (typeof value === 'string') reply[field] = value;
  }
  return reply;
}

async function handle(request: EmbeddedRequest): Promise<EmbeddedReply> {
  const { id } = request;
  try {
    if ('open' in request) {
      await open(request.open.dataDir);
      return { id, done: true };
    }
    if (!pglite) throw new Error('the embedded database is not open');
    if ('close' in request) {
      // PGlite holds its files open until closed explicitly.
      await pglite.close();
      return { id, done: true };
    }
    return await run(pglite, request);
  } catch (error) {
    return { id, error: describeError(error) };
  }
}

let tail: Promise<void> = Promise.resolve();
port?.on('message', (request: EmbeddedRequest) => {
  tail = tail.then(async () => {
    const reply = await handle(request);
    try {
      port.postMessage(reply);
    } catch (error) {
      // A value the structured clone cannot copy must fail its request, not the thread.
      port.postMessage({ id: request.id, error: describeError(error) } satisfies EmbeddedReply);
    }
  });
});
