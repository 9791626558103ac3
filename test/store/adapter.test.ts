import { randomUUID } from 'node:crypto';
import test from 'ava';
import { deleteExpired, vacuumEmbedded } from '../../src/store/cleanup.js';
import type { Database } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { createOidcAdapter } from '../../src/store/oidc-adapter.js';
import { PayloadCache } from '../../src/store/payload-cache.js';
import { bridgeDatabasesUnderTest, closeDatabases } from '../support/databases.js';

// One suite, every backend: the embedded database always, a PostgreSQL server when DATABASE_URL is set.
for (const backend of bridgeDatabasesUnderTest()) {
  const title = (name: string) => `[${backend.name}] ${name}`;

  test(title('stores, finds, consumes and destroys a payload'), async (t) => {
    const Adapter = createOidcAdapter(await backend.open());
    const codes = new Adapter('AuthorizationCode');
    const id = randomUUID();
    await codes.upsert(id, { accountId: '42', grantId: `g-${id}`, kind: 'AuthorizationCode' }, 60);
    const found = await codes.find(id);
    t.is(found?.accountId, '42');
    t.falsy(found?.consumed);
    await codes.consume(id);
    const consumed = await codes.find(id);
    t.is(typeof consumed?.consumed, 'number');
    await codes.destroy(id);
    t.is(await codes.find(id), undefined);
  });

  test(title('a consumed payload stays consumed when saved again'), async (t) => {
    const Adapter = createOidcAdapter(await backend.open());
    const codes = new Adapter('AuthorizationCode');
    const id = randomUUID();
    await codes.upsert(id, { accountId: '7' }, 60);
    await codes.consume(id);
    await codes.upsert(id, { accountId: '7', scope: 'openid' }, 60);
    const found = await codes.find(id);
    t.is(found?.scope, 'openid');
    t.is(typeof found?.consumed, 'number');
  });

  test(title('adapters over one database see each other\'s writes and deletions, and hand out copies'), async (t) => {
    const db = await backend.open();
    const [a, b] = [new (createOidcAdapter(db))('Grant'), new (createOidcAdapter(db))('Grant')];
    const id = randomUUID();
    await a.upsert(id, { accountId: 'x', openid: { scope: 'openid' } }, 60);
    const seen = await b.find(id);
    t.is(seen?.accountId, 'x');
    (seen as { accountId: string }).accountId = 'mutated by the caller';
    t.is((await a.find(id))?.accountId, 'x');
    await b.destroy(id);
    t.is(await a.find(id), undefined);
  });

  test(title('models are separate namespaces, and an upsert replaces'), async (t) => {
    const Adapter = createOidcAdapter(await backend.open());
    const id = randomUUID();
    await new Adapter('Session').upsert(id, { accountId: 'a' }, 60);
    await new Adapter('Grant').upsert(id, { accountId: 'b' }, 60);
    await new Adapter('Session').upsert(id, { accountId: 'c' }, 60);
    t.is((await new Adapter('Session').find(id))?.accountId, 'c');
    t.is((await new Adapter('Grant').find(id))?.accountId, 'b');
  });

  test(title('finds sessions by uid and device codes by user code'), async (t) => {
    const Adapter = createOidcAdapter(await backend.open());
    const id = randomUUID();
    const uid = randomUUID();
    await new Adapter('Session').upsert(id, { uid, accountId: 'x' }, 60);
    t.is((await new Adapter('Session').findByUid(uid))?.accountId, 'x');
    t.is(await new Adapter('Interaction').findByUid(uid), undefined);
    const userCode = `UC-${randomUUID()}`;
    await new Adapter('DeviceCode').upsert(id, { userCode }, 60);
    t.truthy(await new Adapter('DeviceCode').findByUserCode(userCode));
  });

  test(title('an id, uid or user code no provider made (a NUL, absurdly long, empty) finds nothing, without asking the database'), async (t) => {
    const db = await backend.open();
    const queried: string[] = [];
    const watched: Database = { ...db, query: (text, values) => (queried.push(text), db.query(text, values)) };
    const Adapter = createOidcAdapter(watched);
    for (const value of ['abc\0xyz', '\0', 'x'.repeat(513), 'x'.repeat(2_000_000), '']) {
      t.is(await new Adapter('AccessToken').find(value), undefined);
      t.is(await new Adapter('Session').findByUid(value), undefined);
      t.is(await new Adapter('DeviceCode').findByUserCode(value), undefined);
    }
    t.deepEqual(queried, []);
    // The longest accepted is still looked up.
    t.is(await new Adapter('AccessToken').find('x'.repeat(512)), undefined);
    t.is(queried.length, 1);
  });

  test(title('expired payloads are invisible and removed by the cleanup'), async (t) => {
    const db = await backend.open();
    const Adapter = createOidcAdapter(db);
    const id = randomUUID();
    await new Adapter('AccessToken').upsert(id, { accountId: 'x' }, 1);
    t.truthy(await new Adapter('AccessToken').find(id));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    t.is(await new Adapter('AccessToken').find(id), undefined);
    await deleteExpired(db);
    const { rows } = await db.query('SELECT 1 FROM oidc_payloads WHERE id = $1', [id]);
    t.is(rows.length, 0);
  });

  // Serial: the concurrent tests' deletes would add dead tuples between the vacuum and the check.
  test.serial(title('the cleanup makes the space of deleted rows reusable where no autovacuum runs'), async (t) => {
    const db = await backend.open();
    const Adapter = createOidcAdapter(db);
    for (let i = 0; i < 50; i += 1) {
      const id = randomUUID();
      await new Adapter('AccessToken').upsert(id, { accountId: 'x' }, 60);
      await new Adapter('AccessToken').destroy(id);
    }
    const dead = async () =>
      Number((await db.query<{ n: string }>("SELECT n_dead_tup AS n FROM pg_stat_user_tables WHERE relname = 'oidc_payloads'")).rows[0]?.n ?? 0);
    // The deletes' statistics are flushed at most once a second: pending ones landing after the vacuum
    // would count its dead tuples again.
    if (db.kind === 'embedded') await db.query('SELECT pg_stat_force_next_flush()');
    const vacuumed = await vacuumEmbedded(db);
    if (db.kind === 'embedded') {
      t.true(vacuumed.includes('oidc_payloads'));
      t.is(await dead(), 0);
    } else {
      // A server vacuums by itself; the bridge leaves it to autovacuum.
      t.deepEqual(vacuumed, []);
    }
  });

  test(title('revoking a grant removes every token of it, and only those'), async (t) => {
    const db = await backend.open();
    const Adapter = createOidcAdapter(db);
    const grantId = randomUUID();
    const [a, b, other] = [randomUUID(), randomUUID(), randomUUID()];
    await new Adapter('AccessToken').upsert(a, { grantId }, 60);
    await new Adapter('AuthorizationCode').upsert(b, { grantId }, 60);
    await new Adapter('AccessToken').upsert(other, { grantId: randomUUID() }, 60);
    // An interaction and a session may name the grant too; they are no tokens of it and must outlive it.
    const interaction = randomUUID();
    const session = randomUUID();
    await new Adapter('Interaction').upsert(interaction, { grantId, uid: interaction }, 60);
    await new Adapter('Session').upsert(session, { grantId, uid: session }, 60);
    await new Adapter('AccessToken').revokeByGrantId(grantId);
    t.is(await new Adapter('AccessToken').find(a), undefined);
    t.is(await new Adapter('AuthorizationCode').find(b), undefined);
    t.truthy(await new Adapter('AccessToken').find(other));
    t.truthy(await new Adapter('Interaction').find(interaction));
    t.truthy(await new Adapter('Session').find(session));
    // Not even from the table behind the cache.
    const { rows } = await db.query('SELECT model FROM oidc_payloads WHERE grant_id = $1 ORDER BY model', [grantId]);
    t.deepEqual(rows.map((row) => row.model), ['Interaction', 'Session']);
  });

  test(title('migrations are applied once; running them again changes nothing'), async (t) => {
    const db = await backend.open();
    t.deepEqual(await migrate(db), []);
    const { rows } = await db.query<{ version: number }>('SELECT version FROM bridge_schema_migrations ORDER BY version');
    t.true(rows.length >= 1);
    t.is(rows[0]!.version, 1);
  });

  test(title('a transaction rolls back when its work throws'), async (t) => {
    const db = await backend.open();
    const id = randomUUID();
    await t.throwsAsync(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO oidc_payloads (model, id, payload) VALUES ('Test', $1, '{}')", [id]);
        throw new Error('boom');
      }),
      { message: 'boom' },
    );
    const { rows } = await db.query('SELECT 1 FROM oidc_payloads WHERE id = $1', [id]);
    t.is(rows.length, 0);
  });
}

test('the payload cache forgets a grant once its last entry is gone, however it went', (t) => {
  const cache = new PayloadCache(2);
  const key = (id: string) => PayloadCache.key('AccessToken', id);
  // Deleted one by one (consumed, destroyed).
  cache.set(key('a'), { grantId: 'g1' }, undefined, 'g1');
  cache.set(key('b'), { grantId: 'g1' }, undefined, 'g1');
  cache.delete(key('a'));
  t.is(cache.grantCount, 1, 'the grant still has an entry');
  cache.delete(key('b'));
  t.is(cache.grantCount, 0);
  // Expired, then read.
  cache.set(key('c'), { grantId: 'g2' }, Date.now() - 1, 'g2');
  t.is(cache.get(key('c')), undefined);
  t.is(cache.grantCount, 0);
  // Evicted when the cache is full.
  for (const id of ['d', 'e', 'f']) cache.set(key(id), { grantId: `g-${id}` }, undefined, `g-${id}`);
  t.is(cache.grantCount, 2);
  cache.deleteGrant('g-e');
  cache.deleteGrant('g-f');
  t.is(cache.grantCount, 0);
});

test.after.always(closeDatabases);
