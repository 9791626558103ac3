import { randomUUID } from 'node:crypto';
import test from 'ava';
import { Ledger } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import { bridgeDatabasesUnderTest, closeDatabases } from '../support/databases.js';

test.after.always(closeDatabases);

const box = new SealedBox(['cookie-key-one'], 'hand-off hash');

test('a sealed box opens what it sealed, also after a key rotation, and nothing tampered', (t) => {
  const sealed = box.seal('$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
  t.false(sealed.includes('argon2id'));
  t.is(box.open(sealed), '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
  t.is(new SealedBox(['new-key', 'cookie-key-one'], 'hand-off hash').open(sealed), '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
  t.is(new SealedBox(['other-key'], 'hand-off hash').open(sealed), undefined);
  t.is(new SealedBox(['cookie-key-one'], 'another purpose').open(sealed), undefined);
  const [version, iv, body, tag] = sealed.split('.');
  const flipped = `${body![0] === 'A' ? 'B' : 'A'}${body!.slice(1)}`;
  t.is(box.open([version, iv, flipped, tag].join('.')), undefined);
  t.is(box.open('garbage'), undefined);
});

for (const backend of bridgeDatabasesUnderTest()) {
  const title = (name: string) => `[${backend.name}] ${name}`;

  test(title('a login is recorded with its hand-off hash, sealed; a second login counts'), async (t) => {
    const db = await backend.open();
    const ledger = new Ledger(db, box);
    const id = randomUUID();
    const first = await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$fresh' }, 600);
    t.is(first.state, 'seen');
    t.true(first.hasPendingHash);
    const { rows } = await db.query<{ pending_hash: string }>('SELECT pending_hash FROM migration_ledger WHERE legacy_id = $1', [id]);
    t.false(rows[0]!.pending_hash.includes('argon2id'), 'stored sealed');
    t.is(await ledger.pendingHash(id), '$argon2id$fresh');
    const second = await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$x' }, 600);
    t.is(second.logins, 2);
    t.is(await ledger.pendingHash(id), '$2y$10$x');
  });

  test(title('the hook releases once per token, only after a fresh login, and marks the user migrated'), async (t) => {
    const ledger = new Ledger(await backend.open(), box);
    const id = randomUUID();
    t.deepEqual(await ledger.releaseForHook(id, 'token-a', 300), { released: false, reason: 'unknown-user' });
    await ledger.recordLogin(id, { kind: 'reencoded', hash: '$pbkdf2-sha256$x' }, 600);
    const first = await ledger.releaseForHook(id, 'token-a', 300);
    t.true(first.released);
    t.is(first.released && first.hash, '$pbkdf2-sha256$x');
    t.is(first.released && first.entry.state, 'migrated');
    t.false(first.released && first.entry.hasPendingHash);
    t.deepEqual(await ledger.releaseForHook(id, 'token-a', 300), { released: false, reason: 'replayed' });
    const other = await ledger.releaseForHook(id, 'token-b', 300);
    t.true(other.released);
    t.is(other.released && other.hash, undefined, 'the hash went out once and was erased');
  });

  test(title('a stale login releases nothing'), async (t) => {
    const db = await backend.open();
    const ledger = new Ledger(db, box);
    const id = randomUUID();
    await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$x' }, 600);
    await db.query("UPDATE migration_ledger SET last_login_at = now() - interval '10 minutes' WHERE legacy_id = $1", [id]);
    t.deepEqual(await ledger.releaseForHook(id, 'token', 300), { released: false, reason: 'stale-login' });
  });

  test(title('failed, then migrated: the pending hash is erased; a migrated user stays migrated'), async (t) => {
    const ledger = new Ledger(await backend.open(), box);
    const id = randomUUID();
    await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$y' }, 600);
    const failed = await ledger.markFailed(id, 'provision', 'ZITADEL unreachable');
    t.is(failed.state, 'failed');
    t.true(failed.hasPendingHash, 'kept for the retry');
    t.true((await ledger.unfinished(1000)).some((e) => e.legacyId === id));
    const migrated = await ledger.markMigrated(id, 'provision', 'z-1');
    t.is(migrated.state, 'migrated');
    t.false(migrated.hasPendingHash);
    t.is(migrated.zitadelUserId, 'z-1');
    t.is((await ledger.markFailed(id, 'provision', 'late failure')).state, 'migrated');
    t.is((await ledger.recordLogin(id, { kind: 'none', hash: null }, 600)).state, 'migrated');
    t.false((await ledger.unfinished(1000)).some((e) => e.legacyId === id));
  });

  test(title('expired hand-off hashes are erased and counts add up'), async (t) => {
    const db = await backend.open();
    const ledger = new Ledger(db, box);
    const id = randomUUID();
    await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$z' }, 600);
    await db.query("UPDATE migration_ledger SET pending_expires_at = now() - interval '1 second' WHERE legacy_id = $1", [id]);
    t.is(await ledger.pendingHash(id), undefined);
    t.true((await ledger.erasePendingExpired()) >= 1);
    const { rows } = await db.query('SELECT pending_hash FROM migration_ledger WHERE legacy_id = $1', [id]);
    t.is(rows[0]!.pending_hash, null);
    const counts = await ledger.counts();
    t.is(counts.total, counts.seen + counts.migrated + counts.failed);
  });
}
