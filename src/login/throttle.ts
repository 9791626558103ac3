import { createHash } from 'node:crypto';
import type { Queryable } from '../store/database.js';

export interface ThrottleLimits {
  /** Failures per login name within the window. */
  readonly maxFailures: number;
  /** Failures per client address within the window. */
  readonly maxFailuresPerAddress: number;
  readonly windowSeconds: number;
}

interface Counter {
  readonly key: string;
  readonly max: number;
}

/**
 * Brute-force throttle: counts failed logins per login name and per client address in fixed windows, in the
 * database so every replica shares the counts. Login names are stored hashed.
 */
export class LoginThrottle {
  constructor(
    private readonly db: Queryable,
    private readonly limits: ThrottleLimits,
  ) {}

  #counters(login: string, address: string): Counter[] {
    const name = createHash('sha256').update(login.trim().toLowerCase()).digest('base64url');
    return [
      { key: `login:${name}`, max: this.limits.maxFailures },
      { key: `addr:${address}`, max: this.limits.maxFailuresPerAddress },
    ];
  }

  /**
   * `locked`: either counter is at its limit in the current window. `failedBefore`: the login name has
   * failures to clear on success (so a clean login costs no write).
   */
  async check(login: string, address: string): Promise<{ locked: boolean; failedBefore: boolean }> {
    const counters = this.#counters(login, address);
    const since = new Date(Date.now() - this.limits.windowSeconds * 1000);
    const { rows } = await this.db.query<{ key: string; failures: number }>(
      'SELECT key, failures FROM login_throttle WHERE key = ANY($1) AND window_start > $2',
      [counters.map((c) => c.key), since],
    );
    return {
      locked: rows.some((row) => row.failures >= (counters.find((c) => c.key === row.key)?.max ?? Infinity)),
      failedBefore: rows.some((row) => row.key === counters[0]!.key),
    };
  }

  async recordFailure(login: string, address: string): Promise<void> {
    const now = new Date();
    const since = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    for (const { key } of this.#counters(login, address)) {
      // A window that has ended starts over at one failure.
      await this.db.query(
        `INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END,
           window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END`,
        [key, now, since],
      );
    }
  }

  /** A successful login clears its login name's counter (not the address's: one success must not unlock a spray). */
  async recordSuccess(login: string, address: string): Promise<void> {
    const [nameCounter] = this.#counters(login, address);
    await this.db.query('DELETE FROM login_throttle WHERE key = $1', [nameCounter!.key]);
  }
}
