import { randomUUID } from 'node:crypto';
import test from 'ava';
import { Ledger, RESET_DUE } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import type { Queryable } from '../../src/store/database.js';
import { bridgeDatabasesUnderTest, closeDatabases } from '../support/databases.js';

test.after.always(closeDatabases);

const box = new SealedBox(['cookie-key-one'], 'hand-off hash');

/** As if `seconds` had passed for this row: every timestamp that decides freshness moves back. */
/** When the row's pending hash expires (null: none is kept). */
async function pendingExpiry(db: Queryable, id: string): Promise<Date | null | undefined> {
  const { rows } = await db.query<{ pending_expires_at: Date | null }>('SELECT pending_expires_at FROM migration_ledger WHERE legacy_id = $1', [id]);
  return rows[0]?.pending_expires_at;
}

async function age(db: Queryable, id: string, seconds: number): Promise<void> {
  await db.query(
    `UPDATE migration_ledger SET last_login_at = last_login_at - make_interval(secs => $2::float8),
       pending_expires_at = pending_expires_at - make_interval(secs => $2::float8) WHERE legacy_id = $1`,
    [id, seconds],
  );
}

test('a sealed box opens what it sealed, also after a key rotation, and nothing tampered, moved or cut short', (t) => {
  const hash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA';
  const sealed = box.seal(hash, 'user 1');
  t.false(sealed.includes('argon2id'));
  t.is(box.open(sealed, 'user 1'), hash);
  t.is(new SealedBox(['new-key', 'cookie-key-one'], 'hand-off hash').open(sealed, 'user 1'), hash);
  t.is(new SealedBox(['other-key'], 'hand-off hash').open(sealed, 'user 1'), undefined);
  t.is(new SealedBox(['cookie-key-one'], 'another purpose').open(sealed, 'user 1'), undefined);
  t.is(box.open(sealed, 'user 2'), undefined, 'bound to its context');
  const [version, iv, body, tag] = sealed.split('.');
  const flipped = `${body![0] === 'A' ? 'B' : 'A'}${body!.slice(1)}`;
  t.is(box.open([version, iv, flipped, tag].join('.'), 'user 1'), undefined);
  const short = Buffer.from(tag!, 'base64url').subarray(0, 4).toString('base64url');
  t.is(box.open([version, iv, body, short].join('.'), 'user 1'), undefined, 'a truncated tag is refused');
  t.is(box.open('garbage', 'user 1'), undefined);
});

for (const backend of bridgeDatabasesUnderTest()) {
  const title = (name: string) => `[${backend.name}] ${name}`;
  /** The ledger over this backend, and a legacy id no other test uses. */
  const fresh = async () => {
    const db = await backend.open();
    return { db, ledger: new Ledger(db, box), id: randomUUID() };
  };

  test(title('a login is recorded with its hand-off hash, sealed; a second login counts'), async (t) => {
    const { db, ledger, id } = await fresh();
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

  test(title("a sealed hash copied into another user's row releases nothing there"), async (t) => {
    const { db, ledger, id } = await fresh();
    const victim = randomUUID();
    await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$attackers-own' }, 600);
    await ledger.recordLogin(victim, { kind: 'native', hash: '$2y$10$victims' }, 600);
    await db.query('UPDATE migration_ledger SET pending_hash = (SELECT pending_hash FROM migration_ledger WHERE legacy_id = $1) WHERE legacy_id = $2', [id, victim]);
    t.is(await ledger.pendingHash(victim), undefined);
    const released = await ledger.releaseForHook(victim, 'token', 300, true);
    t.true(released.released && released.unreadable);
    t.is(released.released && released.hash, undefined);
  });

  test(title('one token presented by several calls at once releases the hash to one of them'), async (t) => {
    const { ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$once' }, 600);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => ledger.releaseForHook(id, 'same-token', 300, true)));
    t.is(outcomes.filter((outcome) => outcome.released).length, 1, JSON.stringify(outcomes.map((outcome) => outcome.released)));
    t.true(outcomes.filter((outcome) => !outcome.released).every((outcome) => !outcome.released && outcome.reason === 'replayed'));
  });

  // Serial: it compares counts of the shared ledger before and after, which concurrent tests would change.
  test.serial(title('the hook releases once per token, only while the login is fresh, and marks the user migrated'), async (t) => {
    const { db, ledger, id } = await fresh();
    t.deepEqual(await ledger.releaseForHook(id, 'token-a', 300, true), { released: false, reason: 'unknown-user' });
    await ledger.recordLogin(id, { kind: 'reencoded', hash: '$pbkdf2-sha256$x' }, 600);
    const before = await ledger.counts();
    const first = await ledger.releaseForHook(id, 'token-a', 300, true);
    t.true(first.released);
    t.is(first.released && first.hash, '$pbkdf2-sha256$x');
    t.is(first.released && first.entry.state, 'migrated');
    t.is(first.released && first.entry.failureReason, null);
    // Kept only as long as the login that made it may release anything (300 s, not the 600 s TTL).
    const { rows } = await db.query<{ window: boolean }>(
      "SELECT pending_expires_at = last_login_at + interval '300 seconds' AS window FROM migration_ledger WHERE legacy_id = $1",
      [id],
    );
    t.true(rows[0]!.window);
    const during = await ledger.counts();
    t.is(during.pendingHashes, before.pendingHashes - 1, 'a migrated user\'s hash is waiting for nobody');
    t.false((await ledger.unfinished(1000)).some((e) => e.legacyId === id));
    t.deepEqual(await ledger.releaseForHook(id, 'token-a', 300, true), { released: false, reason: 'replayed' });
    // ZITADEL's creation failed after the first answer; its next try brings another token of the same login.
    const other = await ledger.releaseForHook(id, 'token-b', 300, true);
    t.is(other.released && other.hash, '$pbkdf2-sha256$x');
    t.is(other.released && other.entry.state, 'migrated');
    t.deepEqual(await ledger.releaseForHook(id, 'token-b', 300, true), { released: false, reason: 'replayed' });
    // An earlier token stays spent after later ones.
    t.deepEqual(await ledger.releaseForHook(id, 'token-a', 300, true), { released: false, reason: 'replayed' });
    // The window closes with the login's freshness: nothing more goes out, and the cleanup erases the hash.
    await age(db, id, 301);
    t.deepEqual(await ledger.releaseForHook(id, 'token-c', 300, true), { released: false, reason: 'stale-login' });
    t.is(await ledger.pendingHash(id), undefined);
    t.true((await ledger.erasePendingExpired()) >= 1);
    const erased = await db.query('SELECT pending_hash FROM migration_ledger WHERE legacy_id = $1', [id]);
    t.is(erased.rows[0]!.pending_hash, null);
    // Spent tokens are forgotten once they can no longer be presented.
    await db.query("UPDATE hook_released_tokens SET released_at = released_at - interval '2 hours' WHERE legacy_id = $1", [id]);
    t.true((await ledger.forgetReleasedTokens(3600)) >= 2);
    t.is((await db.query('SELECT 1 FROM hook_released_tokens WHERE legacy_id = $1', [id])).rowCount, 0);
  });

  test(title('released with a short TTL left, the hash keeps its own earlier expiry'), async (t) => {
    const { db, ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$short' }, 60);
    const set = await pendingExpiry(db, id);
    t.truthy(set);
    const released = await ledger.releaseForHook(id, 'token', 300, true);
    t.is(released.released && released.hash, '$2y$10$short');
    const after = await pendingExpiry(db, id);
    t.deepEqual(after, set);
  });

  test(title('no hash to give in reset mode: the release itself records the reset as due'), async (t) => {
    const { db, ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'none', hash: null, reason: 'no form ZITADEL reads' }, 600);
    const released = await ledger.releaseForHook(id, 'token', 300, true);
    t.true(released.released);
    t.is(released.released && released.hash, undefined);
    // One statement, so no crash can come between "released" and "reset due".
    t.is(released.released && released.entry.state, 'failed');
    t.is(released.released && released.entry.failureReason, RESET_DUE);
    t.is(released.released && released.entry.method, 'hook');
    t.true((await ledger.unfinished(1000)).some((e) => e.legacyId === id));
    // A second call of the same login gets no hash either, and the reset stays due.
    const again = await ledger.releaseForHook(id, 'token-2', 300, true);
    t.is(again.released && again.entry.failureReason, RESET_DUE);

    // changeRequired: ZITADEL asks for a password itself, so the user is migrated.
    const other = randomUUID();
    await ledger.recordLogin(other, { kind: 'none', hash: null, reason: 'no form ZITADEL reads' }, 600);
    const asked = await ledger.releaseForHook(other, 'token', 300, false);
    t.is(asked.released && asked.entry.state, 'migrated');
    t.is(asked.released && asked.entry.failureReason, null);

    // An expired hash is no hash: the reset is due.
    const late = randomUUID();
    await ledger.recordLogin(late, { kind: 'native', hash: '$2y$10$late' }, 600);
    await db.query("UPDATE migration_ledger SET pending_expires_at = now() - interval '1 second' WHERE legacy_id = $1", [late]);
    const expired = await ledger.releaseForHook(late, 'token', 300, true);
    t.is(expired.released && expired.hash, undefined);
    t.is(expired.released && expired.entry.failureReason, RESET_DUE);
  });

  test(title('a login before the reset link went out keeps the reset due; a new hash may wait for the retry'), async (t) => {
    const ledger = new Ledger(await backend.open(), box);
    const id = randomUUID();
    await ledger.recordLogin(id, { kind: 'none', hash: null, reason: 'no form ZITADEL reads' }, 600);
    await ledger.releaseForHook(id, 'token', 300, true);
    const again = await ledger.recordLogin(id, { kind: 'none', hash: null, reason: 'still none' }, 600);
    t.is(again.state, 'failed');
    t.is(again.failureReason, RESET_DUE);
    t.is(again.logins, 2);
    t.true((await ledger.unfinished(1000)).some((e) => e.legacyId === id), '`migrate retry` still sends the link');
    // ZITADEL now reads the hash (a verifier was enabled): it waits, so the retry can set it instead.
    const withHash = await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$later' }, 600);
    t.is(withHash.state, 'failed');
    t.is(withHash.failureReason, RESET_DUE);
    t.is(withHash.handoff, 'native');
    t.is(await ledger.pendingHash(id), '$2y$10$later');
  });

  test(title('a login after a failed completion of a user ZITADEL holds keeps it failed; other failures get a new chance'), async (t) => {
    const ledger = new Ledger(await backend.open(), box);
    const held = randomUUID();
    await ledger.recordLogin(held, { kind: 'none', hash: null }, 600);
    await ledger.markFailed(held, 'hook', 'sending the reset link failed', 'z-held');
    const heldAgain = await ledger.recordLogin(held, { kind: 'none', hash: null }, 600);
    t.is(heldAgain.state, 'failed');
    t.is(heldAgain.failureReason, 'sending the reset link failed');
    t.true((await ledger.unfinished(1000)).some((e) => e.legacyId === held));
    const notHeld = randomUUID();
    await ledger.recordLogin(notHeld, { kind: 'native', hash: '$2y$10$n' }, 600);
    await ledger.markFailed(notHeld, 'provision', 'ZITADEL unreachable');
    const fresh = await ledger.recordLogin(notHeld, { kind: 'native', hash: '$2y$10$n' }, 600);
    t.is(fresh.state, 'seen');
    t.is(fresh.failureReason, null);
  });

  test(title('a migrated user\'s login stores no hash and keeps the hand-off it was migrated with'), async (t) => {
    const { db, ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$first' }, 600);
    await ledger.markMigrated(id, 'provision', 'z-2');
    const again = await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$nobody-collects' }, 600);
    t.is(again.state, 'migrated');
    t.is(again.handoff, 'rehash');
    t.false(again.hasPendingHash);
    const { rows } = await db.query('SELECT pending_hash, pending_expires_at FROM migration_ledger WHERE legacy_id = $1', [id]);
    t.deepEqual(rows[0], { pending_hash: null, pending_expires_at: null });
    // Released by the hook: a login that brings no hash keeps that hash and its expiry, no longer.
    const hooked = randomUUID();
    await ledger.recordLogin(hooked, { kind: 'native', hash: '$2y$10$released' }, 600);
    await ledger.releaseForHook(hooked, 'token', 300, true);
    const window = await pendingExpiry(db, hooked);
    t.truthy(window);
    await ledger.recordLogin(hooked, { kind: 'none', hash: null }, 600);
    t.is(await ledger.pendingHash(hooked), '$2y$10$released');
    const kept = await pendingExpiry(db, hooked);
    t.deepEqual(kept, window);
  });

  test(title('a hand-off the hook released but ZITADEL never confirmed takes the next login\'s hash; a confirmed one does not'), async (t) => {
    const { db, ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$first' }, 600);
    const released = await ledger.releaseForHook(id, 'token-1', 300, true);
    t.true(released.released && released.entry.state === 'migrated' && !released.entry.confirmed);
    // ZITADEL's creation failed; the release window closes and the cleanup erases the hash (as it would).
    await db.query("UPDATE migration_ledger SET last_login_at = now() - interval '10 minutes', pending_hash = NULL, pending_expires_at = NULL WHERE legacy_id = $1", [id]);
    const again = await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$second' }, 600);
    t.is(again.state, 'migrated');
    t.is(await ledger.pendingHash(id), '$argon2id$second', 'ZITADEL\'s next creation gets a password');
    const second = await ledger.releaseForHook(id, 'token-2', 300, true);
    t.is(second.released && second.hash, '$argon2id$second');
    // ZITADEL says it holds the user, linked: confirmed, and nothing is kept for it any more.
    const confirmed = await ledger.confirm(id, 'z-9');
    t.true(confirmed?.confirmed);
    t.is(await ledger.pendingHash(id), undefined);
    t.is(await ledger.confirm(id, 'z-other'), undefined, 'confirmed once');
    await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$third' }, 600);
    t.is(await ledger.pendingHash(id), undefined);
  });

  test(title('a failed attempt to send a due reset keeps it due, saying what the attempt met'), async (t) => {
    const { ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'none', hash: null }, 600);
    await ledger.releaseForHook(id, 'token', 300, true);
    const failed = await ledger.markFailed(id, 'hook', 'ZITADEL ListUsers: Unavailable');
    t.true(failed.resetDue);
    t.is(failed.failureReason, `${RESET_DUE} (last attempt: ZITADEL ListUsers: Unavailable)`);
    const twice = await ledger.markFailed(id, 'hook', 'ZITADEL ListUsers: Unavailable again');
    t.is(twice.failureReason, `${RESET_DUE} (last attempt: ZITADEL ListUsers: Unavailable again)`);
    // A new login at the bridge leaves it due.
    const login = await ledger.recordLogin(id, { kind: 'none', hash: null }, 600);
    t.is(login.state, 'failed');
    t.true(login.resetDue);
  });

  test.serial(title('freshness is judged by the database\'s clock, which wrote the login time: an application clock ahead of it does not make a fresh login stale'), async (t) => {
    const { ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$fresh' }, 600);
    const now = Date.now;
    Date.now = () => now() + 10 * 60_000;
    try {
      const outcome = await ledger.releaseForHook(id, 'token', 300, true);
      t.is(outcome.released && outcome.hash, '$2y$10$fresh');
    } finally {
      Date.now = now;
    }
  });

  test(title('a stale login releases nothing'), async (t) => {
    const { db, ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'native', hash: '$2y$10$x' }, 600);
    await db.query("UPDATE migration_ledger SET last_login_at = now() - interval '10 minutes' WHERE legacy_id = $1", [id]);
    t.deepEqual(await ledger.releaseForHook(id, 'token', 300, true), { released: false, reason: 'stale-login' });
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

  // Serial: rows the concurrent tests add between the two counts would make them differ.
  test.serial(title('expired hand-off hashes are erased and counts add up'), async (t) => {
    const { db, ledger, id } = await fresh();
    await ledger.recordLogin(id, { kind: 'rehash', hash: '$argon2id$z' }, 600);
    await db.query("UPDATE migration_ledger SET pending_expires_at = now() - interval '1 second' WHERE legacy_id = $1", [id]);
    t.is(await ledger.pendingHash(id), undefined);
    t.true((await ledger.erasePendingExpired()) >= 1);
    const { rows } = await db.query('SELECT pending_hash FROM migration_ledger WHERE legacy_id = $1', [id]);
    t.is(rows[0]!.pending_hash, null);
    const counts = await ledger.counts();
    const { rows: all } = await db.query<{ n: string }>('SELECT count(*) AS n FROM migration_ledger');
    t.is(counts.total, Number(all[0]!.n));
  });
}
