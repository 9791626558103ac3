import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
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

/**
 * The counter a client address counts against: an IPv4 address (also written IPv4-mapped), or the /64 an
 * IPv6 address belongs to: a single subscriber commonly holds a whole /64, so counting per address would
 * give one attacker billions of fresh counters.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1];
  if (mapped) return mapped;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail] = ip.split('%')[0]!.split('::');
  const first = head ? head.split(':') : [];
  const last = tail ? tail.split(':') : [];
  // An embedded dotted quad (::1.2.3.4) fills two groups.
  const width = (groups: string[]) => groups.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const groups = tail === undefined ? first : [...first, ...Array<string>(8 - width(first) - width(last)).fill('0'), ...last];
  return `${groups.slice(0, 4).map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
}

/** One attempt's place in the counters, settled once its password check has an outcome. */
export interface ThrottledAttempt {
  /** False: a counter is at its limit; the attempt must not be made (and is not counted). */
  readonly allowed: boolean;
  /** When not allowed: seconds until every counter at its limit has started over (for Retry-After). */
  readonly retryAfterSeconds: number;
  /** The password was wrong: the failure counts against the account and the address. */
  failed(): Promise<void>;
  /** The password was right: the account's failures are cleared (not the address's: one success must not unlock a spray). */
  succeeded(): Promise<void>;
  /** No verdict (hashing busy, a database down): the attempt leaves no trace. */
  abandoned(): void;
}

/**
 * Brute-force throttle: counts failed logins per account and per client address in fixed windows, in the
 * database so every replica shares the counts. Attempts still being checked count too, in this process:
 * guesses sent in parallel would otherwise all pass a check that none of their failures is in yet. (Across
 * replicas such a burst can get as far as the limit on each before the shared counts stop it.) A login that
 * succeeds writes nothing unless its account had failures to clear, so busy rows (an office behind one
 * address) are only read.
 */
export class LoginThrottle {
  readonly #inFlight = new Map<string, number>();

  constructor(
    private readonly db: Queryable,
    private readonly limits: ThrottleLimits,
  ) {}

  async begin(account: string, address: string): Promise<ThrottledAttempt> {
    const keys = [account, `addr:${addressKey(address)}`];
    const limits = [this.limits.maxFailures, this.limits.maxFailuresPerAddress];
    // Attempts already under way are counted as they stand now; this one counts for those that start later.
    const others = keys.map((key) => this.#inFlight.get(key) ?? 0);
    this.#hold(keys, 1);
    let settled = false;
    const release = () => {
      if (settled) return;
      settled = true;
      this.#hold(keys, -1);
    };
    const windowMs = this.limits.windowSeconds * 1000;
    const now = Date.now();
    let rows: Array<{ key: string; failures: number; window_start: Date }>;
    try {
      ({ rows } = await this.db.query<{ key: string; failures: number; window_start: Date }>(
        'SELECT key, failures, window_start FROM login_throttle WHERE key = ANY($1) AND window_start > $2',
        [keys, new Date(now - windowMs)],
      ));
    } catch (error) {
      release();
      throw error;
    }
    const found = keys.map((key) => rows.find((row) => row.key === key));
    const recorded = found.map((row) => row?.failures ?? 0);
    const full = keys.map((_, i) => recorded[i]! + others[i]! >= limits[i]!);
    const allowed = !full.includes(true);
    if (!allowed) release();
    // A full counter starts over when its window ends; one full only by attempts under way opens its window with them.
    const windowEnds = found.filter((_, i) => full[i]).map((row) => (row ? new Date(row.window_start).getTime() : now) + windowMs);
    return {
      allowed,
      retryAfterSeconds: Math.max(1, Math.ceil((Math.max(now, ...windowEnds) - now) / 1000)),
      failed: async () => {
        try {
          await this.#recordFailure(keys);
        } finally {
          // Counted in the table before it stops counting here, so no moment counts it nowhere.
          release();
        }
      },
      succeeded: async () => {
        try {
          if (recorded[0]! > 0) await this.db.query('DELETE FROM login_throttle WHERE key = $1', [account]);
        } finally {
          release();
        }
      },
      abandoned: release,
    };
  }

  #hold(keys: readonly string[], delta: number): void {
    for (const key of keys) {
      const count = (this.#inFlight.get(key) ?? 0) + delta;
      if (count > 0) this.#inFlight.set(key, count);
      else this.#inFlight.delete(key);
    }
  }

  async #recordFailure(keys: readonly string[]): Promise<void> {
    const now = new Date();
    const since = new Date(now.getTime() - this.limits.windowSeconds * 1000);
    // A window that has ended starts over at one failure.
    await this.db.query(
      `INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $3), ($2, 1, $3)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_throttle.window_start <= $4 THEN 1 ELSE login_throttle.failures + 1 END,
         window_start = CASE WHEN login_throttle.window_start <= $4 THEN $3 ELSE login_throttle.window_start END`,
      [keys[0], keys[1], now, since],
    );
  }
}
