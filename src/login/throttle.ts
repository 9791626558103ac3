import { createHash } from 'node:crypto';
import type { Queryable } from '../store/database.js';

export interface ThrottleLimits {
  /** Failures per account (or per unknown login name) within the window. */
  readonly maxFailures: number;
  /** Failures per client address within the window. */
  readonly maxFailuresPerAddress: number;
  readonly windowSeconds: number;
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * The counter an attempt counts against: the legacy user it names, whichever of their login names was typed
 * (an alias must not get a lock of its own), else the name as typed, case-insensitively. Stored hashed.
 */
export function accountKey(login: string, userId: string | undefined): string {
  return userId === undefined ? `login:${digest(login.trim().toLowerCase())}` : `user:${digest(userId)}`;
}

/** One attempt's place in the counters, settled once its password check has an outcome. */
export interface ThrottledAttempt {
  /** False: a counter is over its limit; the attempt was not counted and must not be made. */
  readonly allowed: boolean;
  /** The password was right: the account's failures are cleared, and this attempt no longer counts for the address. */
  succeeded(): Promise<void>;
  /** No verdict (hashing busy, database down): the attempt is taken back from both counters. */
  abandoned(): Promise<void>;
}

/**
 * Brute-force throttle: counts failed logins per account and per client address in fixed windows, in the
 * database so every replica shares the counts. An attempt is counted before its password is checked, in one
 * statement, so attempts sent in parallel cannot all pass a check that none of them has yet been counted in;
 * a wrong password then simply leaves its count.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Queryable,
    private readonly limits: ThrottleLimits,
  ) {}

  async begin(account: string, address: string): Promise<ThrottledAttempt> {
    const addressKey = `addr:${address}`;
    const now = new Date();
    const since = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    // A window that has ended starts over at this attempt.
    const { rows } = await this.db.query<{ key: string; failures: number }>(
      `INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $3), ($2, 1, $3)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_throttle.window_start <= $4 THEN 1 ELSE login_throttle.failures + 1 END,
         window_start = CASE WHEN login_throttle.window_start <= $4 THEN $3 ELSE login_throttle.window_start END
       RETURNING key, failures`,
      [account, addressKey, now, since],
    );
    const count = (key: string) => rows.find((row) => row.key === key)?.failures ?? 0;
    const allowed = count(account) <= this.limits.maxFailures && count(addressKey) <= this.limits.maxFailuresPerAddress;
    const takeBack = (keys: string[]) =>
      this.db.query('UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE key = ANY($1)', [keys]).then(() => {});
    if (!allowed) await takeBack([account, addressKey]);
    return {
      allowed,
      // Not the address's failures: one success must not unlock a password spray from it.
      succeeded: () =>
        this.db
          .query(
            `WITH cleared AS (DELETE FROM login_throttle WHERE key = $1)
             UPDATE login_throttle SET failures = GREATEST(failures - 1, 0) WHERE key = $2`,
            [account, addressKey],
          )
          .then(() => {}),
      abandoned: () => takeBack([account, addressKey]),
    };
  }
}
