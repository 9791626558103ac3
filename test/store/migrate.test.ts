import test from 'ava';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.js';
import { listMigrations, migrate } from '../../src/store/migrate.js';
import { uniqueTableName } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';

// Replicas starting together on a new database: each migrates, none may fail for the others.
const url = process.env.DATABASE_URL;
const onServer = url ? test : test.skip;

onServer('replicas migrating a new PostgreSQL database at the same moment all start; each migration is applied once', async (t) => {
  const schema = uniqueTableName('migrate');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  t.teardown(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });
  const scoped = new URL(url!);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  const replicas = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url: scoped.href, dataDir: '', poolSize: 2 })));
  try {
    const outcomes = await Promise.allSettled(replicas.map((db) => migrate(db)));
    t.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'],
      JSON.stringify(outcomes.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'ok'))),
    );
    const applied = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? outcome.value : []));
    t.deepEqual([...applied].sort((a, b) => a - b), listMigrations().map((migration) => migration.version));
  } finally {
    await Promise.all(replicas.map((db) => db.close()));
  }
});

onServer('a bridge database server that stops answering fails the query instead of holding it forever, and a new connection works once it answers again', async (t) => {
  const target = new URL(url!);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  t.teardown(() => proxy.stop());
  const viaProxy = new URL(url!);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const db = await openDatabase({ url: viaProxy.href, dataDir: '', poolSize: 1, queryTimeoutMs: 1000 });
  try {
    t.is((await db.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
    proxy.stall();
    await t.throwsAsync(db.query('SELECT 2'), { message: /timeout/i });
    await proxy.cut();
    await proxy.restore();
    // The stalled connection is gone with the cut; the pool connects afresh.
    t.is((await db.query<{ three: number }>('SELECT 3 AS three')).rows[0]!.three, 3);
  } finally {
    await db.close();
  }
});
