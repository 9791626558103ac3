import test from 'ava';
import pg from 'pg';
import { openDatabase } from '../../src/store/database.js';
import { listMigrations, migrate } from '../../src/store/migrate.js';
import { uniqueTableName } from '../support/databases.js';

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
