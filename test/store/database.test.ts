import test from 'ava';
import { openDatabase } from '../../src/store/database.js';
import { serverSchema } from '../support/databases.js';

const url = process.env.DATABASE_URL;
const onServer = url ? test : test.skip;

// Replicas of two releases share the server during a rolling upgrade: the new one's migration must not break
// the statements the old one has prepared on its connections.
onServer('after another replica changes what a prepared statement returns, queries still answer, and a failed transaction is not repeated', async (t) => {
  const { admin, url: scoped } = await serverSchema(t, 'plans');
  await admin.query(`CREATE TABLE kept (id integer PRIMARY KEY, value jsonb NOT NULL)`);
  await admin.query(`INSERT INTO kept VALUES (1, '{"a": 1}')`);

  const db = await openDatabase({ url: scoped, dataDir: '', poolSize: 2 });
  t.teardown(() => db.close());
  const read = 'SELECT value FROM kept WHERE id = $1';
  // Prepared on both connections of the pool.
  await Promise.all([db.query(read, [1]), db.query(read, [1])]);

  await admin.query('ALTER TABLE kept ALTER COLUMN value TYPE text');
  t.deepEqual((await db.query(read, [1])).rows, [{ value: '{"a": 1}' }]);
  t.deepEqual((await db.query(read, [1])).rows, [{ value: '{"a": 1}' }]);

  // Inside a transaction nothing can be retried: it fails once, and its connection is not kept.
  await db.transaction((tx) => tx.query(read, [1]));
  await admin.query('ALTER TABLE kept ALTER COLUMN value TYPE jsonb USING value::jsonb');
  await t.throwsAsync(db.transaction((tx) => tx.query(read, [1])), { message: /cached plan must not change result type/ });
  t.deepEqual((await db.transaction((tx) => tx.query(read, [1]))).rows, [{ value: { a: 1 } }]);
  t.deepEqual((await db.query(read, [1])).rows, [{ value: { a: 1 } }]);
});
