import { createHash } from 'node:crypto';
import type { Database } from '../store/database.js';
import type { SealedBox } from './sealed-box.js';

export type LedgerState = 'seen' | 'migrated' | 'failed';
export type MigrationMethod = 'hook' | 'provision' | 'actions-v1' | 'batch';
export type HandOffKind = 'native' | 'reencoded' | 'rehash' | 'none';

export interface LedgerEntry {
  readonly legacyId: string;
  readonly state: LedgerState;
  readonly method: MigrationMethod | null;
  readonly zitadelUserId: string | null;
  readonly handoff: HandOffKind | null;
  /** A sealed hash is stored and unexpired (for a migrated user: only while the login that made it is fresh). */
  readonly hasPendingHash: boolean;
  readonly failureReason: string | null;
  readonly attempts: number;
  readonly logins: number;
  readonly firstSeenAt: Date;
  readonly lastLoginAt: Date | null;
  readonly migratedAt: Date | null;
  /**
   * ZITADEL is known to hold the user: migrated with its ZITADEL user id. A hook hand-off alone is not
   * confirmed: ZITADEL may still have failed to create the user after the hook answered.
   */
  readonly confirmed: boolean;
  /** ZITADEL holds the user without a password and a reset link is still to be sent. */
  readonly resetDue: boolean;
}

export interface LedgerCounts {
  readonly seen: number;
  readonly migrated: number;
  readonly failed: number;
  readonly total: number;
  /** Hand-off hashes waiting for ZITADEL (sealed); a migrated user's, kept only while its login is fresh, are not. */
  readonly pendingHashes: number;
}

interface Row {
  legacy_id: string;
  state: LedgerState;
  method: MigrationMethod | null;
  zitadel_user_id: string | null;
  handoff: HandOffKind | null;
  pending_hash: string | null;
  pending_expires_at: Date | null;
  failure_reason: string | null;
  attempts: number;
  logins: number;
  first_seen_at: Date;
  last_login_at: Date | null;
  migrated_at: Date | null;
}

/** The failure reason of a user ZITADEL holds without a password; a failed attempt to send the link keeps it as a prefix. */
export const RESET_DUE = 'created without a password: password reset to send';

function toEntry(row: Row): LedgerEntry {
  return {
    legacyId: row.legacy_id,
    state: row.state,
    method: row.method,
    zitadelUserId: row.zitadel_user_id,
    handoff: row.handoff,
    hasPendingHash: row.pending_hash !== null && (row.pending_expires_at === null || row.pending_expires_at > new Date()),
    failureReason: row.failure_reason,
    attempts: row.attempts,
    logins: row.logins,
    firstSeenAt: row.first_seen_at,
    lastLoginAt: row.last_login_at,
    migratedAt: row.migrated_at,
    confirmed: row.state === 'migrated' && row.zitadel_user_id !== null,
    resetDue: row.state === 'failed' && (row.failure_reason?.startsWith(RESET_DUE) ?? false),
  };
}

/** recordLogin keeps the stored hand-off of a confirmed user, and of a handed-over one when the login brings no hash. */
const KEEPS_HANDOFF = `migration_ledger.state = 'migrated' AND (migration_ledger.zitadel_user_id IS NOT NULL OR excluded.pending_hash IS NULL)`;

/** A sealed hash opens only in the row of the user it was sealed for. */
const sealContext = (legacyId: string) => `hand-off hash of legacy user ${legacyId}`;

/** A token is remembered by its digest only. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export type ReleaseOutcome =
  /** `unreadable`: a hash was due but its seal did not open (see SealedBox.open). */
  | { readonly released: true; readonly hash: string | undefined; readonly entry: LedgerEntry; readonly unreadable?: boolean }
  | { readonly released: false; readonly reason: 'unknown-user' | 'stale-login' | 'replayed' };

/**
 * The ledger of migration, per legacy user. Every state change is one statement or one transaction;
 * hand-off hashes are stored sealed, and once released only while the login that made them is fresh.
 */
export class Ledger {
  constructor(
    private readonly db: Database,
    private readonly box: SealedBox,
  ) {}

  async get(legacyId: string): Promise<LedgerEntry | undefined> {
    const { rows } = await this.db.query<Row>('SELECT * FROM migration_ledger WHERE legacy_id = $1', [legacyId]);
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  /**
   * A successful login at the bridge, with the hash ZITADEL should get for this user (if any), kept for
   * `pendingTtlSeconds`. A confirmed user stays migrated and gets no new hash (nothing would collect it). A
   * user only handed over by the hook stays migrated but takes the new hash: ZITADEL may have failed to
   * create them, and its next try must not create them without a password. A user ZITADEL already holds
   * without a finished hand-off (reset due, or a completion that failed) stays failed, so `migrate retry`
   * still finishes it; any other failed user gets a new chance.
   */
  async recordLogin(legacyId: string, handoff: { kind: HandOffKind; hash: string | null; reason?: string }, pendingTtlSeconds: number): Promise<LedgerEntry> {
    const sealed = handoff.hash === null ? null : this.box.seal(handoff.hash, sealContext(legacyId));
    const expires = sealed ? new Date(Date.now() + pendingTtlSeconds * 1000) : null;
    // A confirmed row keeps its hand-off; so does a handed-over one when this login brings no hash, keeping
    // any hash still in its release window (see releaseForHook).
    const { rows } = await this.db.query<Row>(
      `INSERT INTO migration_ledger (legacy_id, state, handoff, pending_hash, pending_expires_at, failure_reason, logins, last_login_at)
       VALUES ($1, 'seen', $2, $3, $4, $5, 1, now())
       ON CONFLICT (legacy_id) DO UPDATE SET
         state = CASE
           WHEN migration_ledger.state = 'migrated' THEN 'migrated'
           WHEN migration_ledger.state = 'failed' AND (starts_with(migration_ledger.failure_reason, $6) OR migration_ledger.zitadel_user_id IS NOT NULL) THEN 'failed'
           ELSE 'seen' END,
         handoff = CASE WHEN ${KEEPS_HANDOFF} THEN migration_ledger.handoff ELSE excluded.handoff END,
         pending_hash = CASE WHEN ${KEEPS_HANDOFF} THEN migration_ledger.pending_hash ELSE excluded.pending_hash END,
         pending_expires_at = CASE WHEN ${KEEPS_HANDOFF} THEN migration_ledger.pending_expires_at ELSE excluded.pending_expires_at END,
         failure_reason = CASE
           WHEN migration_ledger.state = 'migrated' THEN migration_ledger.failure_reason
           WHEN migration_ledger.state = 'failed' AND (starts_with(migration_ledger.failure_reason, $6) OR migration_ledger.zitadel_user_id IS NOT NULL) THEN migration_ledger.failure_reason
           ELSE excluded.failure_reason END,
         logins = migration_ledger.logins + 1,
         last_login_at = now(),
         updated_at = now()
       RETURNING *`,
      [legacyId, handoff.kind, sealed, expires, handoff.kind === 'none' ? (handoff.reason ?? null) : null, RESET_DUE],
    );
    return toEntry(rows[0]!);
  }

  /** The pending hand-off hash, if one is stored and not expired. */
  async pendingHash(legacyId: string): Promise<string | undefined> {
    const { rows } = await this.db.query<Pick<Row, 'pending_hash'>>(
      'SELECT pending_hash FROM migration_ledger WHERE legacy_id = $1 AND pending_hash IS NOT NULL AND pending_expires_at > now()',
      [legacyId],
    );
    const sealed = rows[0]?.pending_hash;
    return sealed ? this.box.open(sealed, sealContext(legacyId)) : undefined;
  }

  /**
   * For the post-login hook: release the pending hash once per access token, only after a login at most
   * `maxLoginAgeSeconds` old, and record the outcome — all in one statement. The user is migrated, unless
   * there was no hash to give and `resetWithoutHash`: then ZITADEL creates the user without a password and
   * the row is failed with RESET_DUE until `migrate retry` sends the reset link.
   *
   * The hash is not erased here: ZITADEL's creation may still fail after this answer, and its next try
   * comes with a new token but no new password login. It stays only while that login is fresh (as long as
   * this method would release anything at all); `erasePendingExpired` removes it afterwards.
   */
  async releaseForHook(legacyId: string, token: string, maxLoginAgeSeconds: number, resetWithoutHash: boolean): Promise<ReleaseOutcome> {
    const digest = tokenDigest(token);
    // One statement: the row is locked, checked and released together (its freshness by the database's
    // clock, the one that wrote last_login_at; an application server's may differ), so two calls cannot both succeed,
    // and a crash cannot leave a passwordless user migrated without its reset due. The token is remembered
    // in the same statement; one seen before (even before other tokens) releases nothing. Two calls with one
    // token at once: the second meets the first's digest when it inserts its own, and releases nothing.
    const { rows } = await this.db.query<Row & { released_hash: string | null }>(
      `WITH locked AS (
         SELECT legacy_id, pending_hash, COALESCE(pending_hash IS NOT NULL AND pending_expires_at > now(), false) AS live
         FROM migration_ledger
         WHERE legacy_id = $1 AND last_login_at >= now() - make_interval(secs => $3::float8)
           AND NOT EXISTS (SELECT 1 FROM hook_released_tokens WHERE legacy_id = $1 AND digest = $2)
         FOR UPDATE
       ), remembered AS (
         INSERT INTO hook_released_tokens (legacy_id, digest) SELECT legacy_id, $2 FROM locked
         ON CONFLICT (legacy_id, digest) DO NOTHING
         RETURNING digest
       ), old AS (
         SELECT legacy_id, pending_hash, live, live OR NOT $4::boolean AS done FROM locked WHERE EXISTS (SELECT 1 FROM remembered)
       )
       UPDATE migration_ledger AS m SET
         state = CASE WHEN old.done THEN 'migrated' ELSE 'failed' END,
         method = CASE WHEN old.done THEN COALESCE(m.method, 'hook') ELSE 'hook' END,
         pending_expires_at = CASE WHEN old.live THEN LEAST(m.pending_expires_at, m.last_login_at + make_interval(secs => $5::float8)) ELSE m.pending_expires_at END,
         failure_reason = CASE WHEN old.done THEN NULL ELSE $6 END,
         migrated_at = CASE WHEN old.done THEN COALESCE(m.migrated_at, now()) ELSE m.migrated_at END,
         updated_at = now()
       FROM old WHERE m.legacy_id = old.legacy_id
       RETURNING m.*, CASE WHEN old.live THEN old.pending_hash END AS released_hash`,
      [legacyId, digest, maxLoginAgeSeconds, resetWithoutHash, maxLoginAgeSeconds, RESET_DUE],
    );
    const row = rows[0];
    if (row) {
      // Live or not is decided above, by the same clock that decided the state.
      const hash = row.released_hash ? this.box.open(row.released_hash, sealContext(legacyId)) : undefined;
      return { released: true, hash, entry: toEntry(row), ...(row.released_hash && !hash ? { unreadable: true } : {}) };
    }
    // Nothing released: say why (this read only runs on the refusal path; it only labels the log line).
    const current = await this.get(legacyId);
    if (!current?.lastLoginAt) return { released: false, reason: 'unknown-user' };
    if (current.lastLoginAt.getTime() < Date.now() - maxLoginAgeSeconds * 1000) return { released: false, reason: 'stale-login' };
    return { released: false, reason: 'replayed' };
  }

  /** ZITADEL has the user (and its password, if there was one to give): erase the pending hash. */
  async markMigrated(legacyId: string, method: MigrationMethod, zitadelUserId: string | null): Promise<LedgerEntry> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO migration_ledger (legacy_id, state, method, zitadel_user_id, migrated_at)
       VALUES ($1, 'migrated', $2, $3, now())
       ON CONFLICT (legacy_id) DO UPDATE SET state = 'migrated', method = excluded.method,
         zitadel_user_id = COALESCE(excluded.zitadel_user_id, migration_ledger.zitadel_user_id),
         pending_hash = NULL, pending_expires_at = NULL, failure_reason = NULL,
         migrated_at = COALESCE(migration_ledger.migrated_at, now()), updated_at = now()
       RETURNING *`,
      [legacyId, method, zitadelUserId],
    );
    return toEntry(rows[0]!);
  }

  /**
   * A hand-off attempt failed (ZITADEL down, refused …); the pending hash stays for a retry. A reset that
   * is due stays due: the reason keeps RESET_DUE first and says what the last attempt met.
   */
  async markFailed(legacyId: string, method: MigrationMethod, reason: string, zitadelUserId: string | null = null): Promise<LedgerEntry> {
    const { rows } = await this.db.query<Row>(
      `INSERT INTO migration_ledger (legacy_id, state, method, zitadel_user_id, failure_reason, attempts)
       VALUES ($1, 'failed', $2, $3, $4, 1)
       ON CONFLICT (legacy_id) DO UPDATE SET
         state = CASE WHEN migration_ledger.state = 'migrated' THEN 'migrated' ELSE 'failed' END,
         method = excluded.method,
         zitadel_user_id = COALESCE(excluded.zitadel_user_id, migration_ledger.zitadel_user_id),
         failure_reason = CASE
           WHEN migration_ledger.state = 'failed' AND starts_with(migration_ledger.failure_reason, $5) AND excluded.failure_reason <> $5
             THEN left($5 || ' (last attempt: ' || excluded.failure_reason || ')', 500)
           ELSE excluded.failure_reason END,
         attempts = migration_ledger.attempts + 1, updated_at = now()
       RETURNING *`,
      [legacyId, method, zitadelUserId, reason.slice(0, 500), RESET_DUE],
    );
    return toEntry(rows[0]!);
  }

  /**
   * The ZITADEL user noted for this legacy user is gone (deleted in ZITADEL): failed, without that id, so the
   * next retry looks the user up or provisions them afresh, and the next login prepares a hash again.
   */
  async forgetZitadelUser(legacyId: string, method: MigrationMethod, reason: string, options: { forgetLogin?: boolean } = {}): Promise<LedgerEntry> {
    const { rows } = await this.db.query<Row>(
      `UPDATE migration_ledger SET state = 'failed', method = $2, zitadel_user_id = NULL, migrated_at = NULL,
         failure_reason = $3, attempts = attempts + 1, updated_at = now(),
         last_login_at = CASE WHEN $4::boolean THEN NULL ELSE last_login_at END
       WHERE legacy_id = $1 RETURNING *`,
      [legacyId, method, reason.slice(0, 500), options.forgetLogin ?? false],
    );
    return toEntry(rows[0]!);
  }

  /**
   * ZITADEL names another linked user than the one noted (the noted one was deleted, and the user created
   * again without the bridge): note the new one, failed, so `migrate retry` completes its hand-off (it never
   * replaces a password the user has). Undefined when the noted user is this one, or none is noted.
   */
  async replacedInZitadel(legacyId: string, zitadelUserId: string): Promise<LedgerEntry | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE migration_ledger SET state = 'failed', zitadel_user_id = $2, migrated_at = NULL,
         failure_reason = left('the ZITADEL user ' || zitadel_user_id || ' was replaced by ' || $2 || ': its hand-off is to complete', 500),
         updated_at = now()
       WHERE legacy_id = $1 AND zitadel_user_id IS NOT NULL AND zitadel_user_id <> $2
       RETURNING *`,
      [legacyId, zitadelUserId],
    );
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  /** The hook handed over no password after all (its sealed hash did not open): the reset link is due. */
  async markResetDue(legacyId: string): Promise<LedgerEntry> {
    const { rows } = await this.db.query<Row>(
      `UPDATE migration_ledger SET state = 'failed', method = 'hook', failure_reason = $2, updated_at = now()
       WHERE legacy_id = $1 RETURNING *`,
      [legacyId, RESET_DUE],
    );
    return toEntry(rows[0]!);
  }

  /**
   * ZITADEL holds this handed-over user, linked (it says so when the user comes back through the IdP):
   * the hand-off is confirmed, and the hash kept for ZITADEL's retries is erased.
   */
  async confirm(legacyId: string, zitadelUserId: string): Promise<LedgerEntry | undefined> {
    const { rows } = await this.db.query<Row>(
      `UPDATE migration_ledger SET zitadel_user_id = $2, pending_hash = NULL, pending_expires_at = NULL, updated_at = now()
       WHERE legacy_id = $1 AND state = 'migrated' AND zitadel_user_id IS NULL
       RETURNING *`,
      [legacyId, zitadelUserId],
    );
    return rows[0] ? toEntry(rows[0]) : undefined;
  }

  async counts(): Promise<LedgerCounts> {
    const { rows } = await this.db.query<{ state: LedgerState; n: string; pending: string }>(
      `SELECT state, count(*) AS n, count(*) FILTER (WHERE state <> 'migrated' AND pending_hash IS NOT NULL AND pending_expires_at > now()) AS pending
       FROM migration_ledger GROUP BY state`,
    );
    const counts = { seen: 0, migrated: 0, failed: 0, total: 0, pendingHashes: 0 };
    for (const row of rows) {
      counts[row.state] = Number(row.n);
      counts.total += Number(row.n);
      counts.pendingHashes += Number(row.pending);
    }
    return counts;
  }

  /**
   * Users whose hand-off is not complete: failed, or seen with a hash still waiting (a migrated user's hash
   * in its release window is not waiting). In id order, by page.
   */
  async unfinished(limit: number, after?: string): Promise<LedgerEntry[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT * FROM migration_ledger
       WHERE (state = 'failed' OR (state = 'seen' AND pending_hash IS NOT NULL AND pending_expires_at > now()))
         AND legacy_id > $1
       ORDER BY legacy_id LIMIT $2`,
      [after ?? '', limit],
    );
    return rows.map(toEntry);
  }

  /** Erase hand-off hashes nobody collected in time. */
  /** Forget released tokens older than `seconds`: by then they can no longer be presented (expired, or their login stale). */
  async forgetReleasedTokens(seconds: number): Promise<number> {
    const result = await this.db.query('DELETE FROM hook_released_tokens WHERE released_at < now() - make_interval(secs => $1::float8)', [seconds]);
    return result.rowCount ?? 0;
  }

  async erasePendingExpired(): Promise<number> {
    const result = await this.db.query(
      'UPDATE migration_ledger SET pending_hash = NULL, pending_expires_at = NULL, updated_at = now() WHERE pending_hash IS NOT NULL AND pending_expires_at <= now()',
    );
    return result.rowCount ?? 0;
  }
}
