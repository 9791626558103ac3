import test from 'ava';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.js';
import { listMigrations, migrate } from '../../src/store/migrate.js';
import { serverSchema } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';

// Replicas starting together on a new database: each migrates, none may fail for the others.
const url = process.env.DATABASE_URL;
const onServer = url ? test : test.skip;

onServer('replicas migrating a new PostgreSQL database at the same moment all start; each migration is applied once', async (t) => {
  const { url: scoped } = await serverSchema(t, 'migrate');
  const replicas = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url: scoped, dataDir: '', poolSize: 2 })));
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

onServer('a migration slower than the query timeout completes, each logged as it starts, instead of failing every start', async (t) => {
  const { admin, schema, url: scoped } = await serverSchema(t, 'slow');
  // Holds the table in a transaction of its own: activity seen from within a transaction is a snapshot.
  const reader = new pg.Client({ connectionString: url });
  await reader.connect();
  t.teardown(() => reader.end());
  // A database as the previous release left it, whose next migration rewrites oidc_payloads.
  await admin.query('CREATE TABLE bridge_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  const [first, second, ...pending] = listMigrations();
  for (const done of [first!, second!]) {
    await admin.query(done.sql);
    await admin.query('INSERT INTO bridge_schema_migrations (version, name) VALUES ($1, $2)', [done.version, done.name]);
  }
  // The rewrite waits while a reader holds the table: a migration as slow as we like.
  await reader.query('BEGIN');
  await reader.query(`LOCK TABLE ${schema}.oidc_payloads IN ACCESS SHARE MODE`);

  const db = await openDatabase({ url: scoped, dataDir: '', poolSize: 1, queryTimeoutMs: 100 });
  t.teardown(() => db.close());
  const logged: number[] = [];
  const migrating = migrate(db, { info: ({ version }) => logged.push(version) });
  let settled = false;
  migrating.then(
    () => (settled = true),
    () => (settled = true),
  );
  const waiting = async () =>
    (await admin.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ALTER TABLE oidc_payloads%'")).rowCount;
  const givingUp = Date.now() + 20_000;
  while (!settled && !(await waiting()) && Date.now() < givingUp) await new Promise((resolve) => setTimeout(resolve, 20));
  // Well past the query timeout.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await reader.query('COMMIT');

  t.deepEqual(await migrating, pending.map((migration) => migration.version));
  t.deepEqual(logged, pending.map((migration) => migration.version));
  const { rows } = await admin.query("SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'oidc_payloads' AND column_name = 'payload'", [schema]);
  t.is(rows[0].data_type, 'json');
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
