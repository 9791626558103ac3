import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import Koa from 'koa';
import type { LegacyDirectory } from '../../src/legacy/directory.js';
import { healthRoutes } from '../../src/server/health.js';
import { createMetrics } from '../../src/server/metrics.js';
import { openDatabase } from '../../src/store/database.js';
import { embeddedThread } from '../../src/store/embedded.js';
import { closeDatabases, sharedEmbeddedDatabase, uniqueTableName } from '../support/databases.js';

// The embedded database runs on a thread of its own; these pin down what callers must not notice.

test('an SQL error carries its SQLSTATE and details, and the database answers afterwards', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const table = uniqueTableName('errors');
  await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, name text NOT NULL)`);
  await db.query(`INSERT INTO ${table} (id, name) VALUES ($1, $2)`, [1, 'one']);

  const invalid = await t.throwsAsync(db.query(`SELECT name FROM ${table} WHERE id = $1`, ['abc']));
  t.is((invalid as { code?: string }).code, '22P02');
  t.regex(invalid.message, /invalid input syntax for type integer/);

  const duplicate = await t.throwsAsync(db.query(`INSERT INTO ${table} (id, name) VALUES ($1, $2)`, [1, 'again']));
  t.like(duplicate as object, { code: '23505', constraint: `${table}_pkey`, table, severity: 'ERROR' });
  t.regex((duplicate as { detail?: string }).detail ?? '', /Key \(id\)=\(1\) already exists/);

  const missing = await t.throwsAsync(db.query(`INSERT INTO ${table} (id, name) VALUES ($1, $2)`, [2, null]));
  t.like(missing as object, { code: '23502', column: 'name' });

  // Neither the session nor the statements that failed are left broken.
  t.deepEqual((await db.query(`SELECT name FROM ${table} WHERE id = $1`, ['1'])).rows, [{ name: 'one' }]);
  await db.query(`INSERT INTO ${table} (id, name) VALUES ($1, $2)`, [2, 'two']);
  t.is((await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n, 2);
  // A statement whose preparation failed is prepared afresh once it can be.
  const later = `SELECT count(*)::int AS n FROM ${table}_later WHERE id > $1`;
  t.is(((await t.throwsAsync(db.query(later, [0]))) as { code?: string }).code, '42P01');
  await db.query(`CREATE TABLE ${table}_later (id integer)`);
  t.deepEqual((await db.query(later, [0])).rows, [{ n: 0 }]);
  const simple = await t.throwsAsync(db.query(`SELECT * FROM ${table}_missing`));
  t.is((simple as { code?: string }).code, '42P01');
  t.is((await db.query('SELECT 1 AS one', [])).rows[0]!.one, 1);
});

test('values come back as node-postgres decodes them', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const at = new Date('2024-05-06T07:08:09.123Z');
  const { rows, rowCount } = await db.query(
    `SELECT $1::timestamptz AS at, $2::jsonb AS doc, $3::bytea AS bytes, $4::interval AS span, $5::int8 AS big, $6::int AS small,
            $7::text[] AS list, NULL::text AS nothing`,
    [at, { a: [1, 'two'], b: null }, Buffer.from('hi'), '1 hour', '9007199254740993', 42, ['x', 'y"z']],
  );
  t.is(rowCount, 1);
  const row = rows[0]!;
  t.true(row.at instanceof Date);
  t.is((row.at as Date).toISOString(), at.toISOString());
  t.deepEqual(row.doc, { a: [1, 'two'], b: null });
  t.true(Buffer.isBuffer(row.bytes));
  t.is((row.bytes as Buffer).toString(), 'hi');
  t.is((row.span as { hours?: number }).hours, 1);
  t.is(typeof (row.span as { toPostgres?: unknown }).toPostgres, 'function');
  t.is(row.big, '9007199254740993');
  t.is(row.small, 42);
  t.deepEqual(row.list, ['x', 'y"z']);
  t.is(row.nothing, null);
});

test('a transaction is never interleaved with a concurrent query', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const table = uniqueTableName('tx');
  await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY)`);
  const events: string[] = [];
  let read: Promise<number> | undefined;
  await t.throwsAsync(
    db.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} (id) VALUES ($1)`, [1]);
      events.push('inserted');
      // One session: a read let in now would see the uncommitted row.
      read = db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`, []).then(({ rows }) => {
        events.push('read');
        return rows[0]!.n;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await tx.query(`INSERT INTO ${table} (id) VALUES ($1)`, [2]);
      events.push('inserted again');
      throw new Error('roll it back');
    }),
    { message: 'roll it back' },
  );
  t.is(await read, 0);
  t.deepEqual(events, ['inserted', 'inserted again', 'read']);
});

test('statements sent without waiting are answered in the order they were asked for', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const table = uniqueTableName('order');
  await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY)`);
  const inserts = Array.from({ length: 50 }, (_, i) => db.query(`INSERT INTO ${table} (id) VALUES ($1)`, [i]));
  const count = db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`, []);
  const results = await Promise.all(inserts);
  t.true(results.every((result) => result.rowCount === 1));
  t.is((await count).rows[0]!.n, 50);
});

test.serial('queries after close reject; closing twice is fine', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-embedded-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = await openDatabase({ dataDir: join(dir, 'data'), poolSize: 1 });
  await db.query('CREATE TABLE kept (id integer)');
  await db.query('INSERT INTO kept (id) VALUES ($1)', [7]);
  await Promise.all([db.close(), db.close()]);
  await db.close();
  await t.throwsAsync(db.query('SELECT 1', []), { message: /closed/ });
  await t.throwsAsync(db.transaction(async (tx) => tx.query('SELECT 1')), { message: /closed/ });

  // Closed means its files were released in a consistent state: the folder opens again.
  const again = await openDatabase({ dataDir: join(dir, 'data'), poolSize: 1 });
  t.deepEqual((await again.query('SELECT id FROM kept', [])).rows, [{ id: 7 }]);
  await again.close();
});

test.serial('a database thread that dies fails pending and later queries instead of hanging', async (t) => {
  const db = await openDatabase({ dataDir: 'memory://', poolSize: 1 });
  const thread = embeddedThread(db);
  if (!thread) return t.fail('no thread behind the embedded database');
  const running = db.query('SELECT pg_sleep(10)', []);
  const queued = db.query('SELECT 1', []);
  const transaction = db.transaction(async (tx) => tx.query('SELECT 1'));
  const behind = db.query('SELECT 2', []);
  await thread.terminate();
  const stopped = { message: /^the embedded database stopped: / };
  await t.throwsAsync(running, stopped);
  await t.throwsAsync(queued, stopped);
  await t.throwsAsync(transaction, stopped);
  await t.throwsAsync(behind, stopped);
  await t.throwsAsync(db.query('SELECT 1', []), stopped);
  // For good: liveness says so, so the process gets restarted.
  t.regex(db.broken?.() ?? '', /^the embedded database stopped: /);
  const health = new Koa().use(healthRoutes(db, { ping: async () => {} } as unknown as LegacyDirectory, createMetrics()).routes());
  const server = health.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await new Promise((resolve) => server.once('listening', resolve));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
  t.is(response.status, 503);
  t.like(await response.json(), { status: 'failed' });
  await db.close();
});

test('an embedded database closed on purpose is not broken', async (t) => {
  const db = await openDatabase({ dataDir: 'memory://', poolSize: 1 });
  await db.close();
  t.is(db.broken?.(), undefined);
});

test('an idle embedded database does not keep the process alive', async (t) => {
  const database = pathToFileURL(join(import.meta.dirname, '../../src/store/database.ts')).href;
  const script = `const { openDatabase } = await import(${JSON.stringify(database)});
    const db = await openDatabase({ dataDir: 'memory://', poolSize: 1 });
    const { rows } = await db.query('SELECT $1::int AS n', [5]);
    console.log(rows[0].n);`;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--import=tsx', '--input-type=module', '--eval', script], { timeout: 60_000 }, (error, out) =>
      error ? reject(error) : resolve(out),
    );
  });
  t.is(stdout.trim(), '5');
});

test.serial('what was committed survives the process being killed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-embedded-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  const database = pathToFileURL(join(import.meta.dirname, '../../src/store/database.ts')).href;
  // Commit, say so, then wait to be killed: nothing closes the database or flushes it on the way out.
  const script = `const { openDatabase } = await import(${JSON.stringify(database)});
    const db = await openDatabase({ dataDir: ${JSON.stringify(dataDir)}, poolSize: 1 });
    await db.query('CREATE TABLE kept (id integer)');
    await db.query('INSERT INTO kept (id) VALUES ($1)', [7]);
    console.log('COMMITTED');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import=tsx', '--input-type=module', '--eval', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('COMMITTED') && resolve());
    child.once('exit', (code) => reject(new Error(`the writer exited with ${code}`)));
  });
  // A moment for anything that would be written later (nothing should need it).
  await new Promise((resolve) => setTimeout(resolve, 500));
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });

  const again = await openDatabase({ dataDir, poolSize: 1 });
  try {
    t.deepEqual((await again.query('SELECT id FROM kept', [])).rows, [{ id: 7 }]);
  } finally {
    await again.close();
  }
});

test.after.always(closeDatabases);
