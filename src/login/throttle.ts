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

/** The counters a login counts against besides its address: the name as typed, and the user it found (if any). */
export interface AccountKeys {
  /** The name as typed, case-insensitively: an unknown name gets a lock like a known one. */
  readonly typed: string;
  /** The legacy user the name found, whichever of their login names was typed (an alias must not get a lock of its own). */
  readonly user?: string | undefined;
}

/** The counters of a login name, and of the user it found; stored hashed. */
export function accountKeys(login: string, userId: string | undefined): AccountKeys {
  const typed = `login:${digest(login.trim().toLowerCase())}`;
  return userId === undefined ? { typed } : { typed, user: `user:${digest(userId)}` };
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

/** Where the address's counter is among an attempt's keys, and how many keys come before the user's. */
const ADDRESS_KEY = 1;
const VISIBLE_KEYS = 2;

/** One attempt's place in the counters, settled once its password check has an outcome. */
export interface ThrottledAttempt {
  /** False: the name typed or the address is at its limit; the attempt must not be made (and is not counted). */
  readonly allowed: boolean;
  /**
   * Allowed, but the user the name found is at their limit through other names of theirs (an alias, or a
   * spelling the database's collation folds onto theirs, such as an accent). The password must not be
   * checked, and the attempt fails like a wrong one: a refusal only known users could get would tell which
   * names exist. It counts as a failure of the name typed.
   */
  readonly locked: boolean;
  /** When not allowed: seconds until every counter at its limit has started over (for Retry-After). */
  readonly retryAfterSeconds: number;
  /** The password was wrong: the failure counts against the account and the address. */
  failed(): Promise<void>;
  /** The password was right: the failures of the name and its user are cleared (not the address's: one success must not unlock a spray). */
  succeeded(): Promise<void>;
  /** No verdict (hashing busy, a database down): the attempt leaves no trace. */
  abandoned(): void;
}

/**
 * Brute-force throttle: counts failed logins per login name, per user and per client address in fixed windows, in the
 * database so every replica shares the counts. Attempts still being checked count too, in this process:
 * guesses sent in parallel would otherwise all pass a check that none of their failures is in yet. (Across
 * replicas such a burst can get as far as the limit on each before the shared counts stop it.) A login that
 * succeeds writes nothing unless its account had failures to clear, so busy rows (an office behind one
 * address) are only read.
 *
 * Each attempt counts exactly once: reading a key's counts and moving an attempt from "under way" into the
 * table take turns per key, so no reader sees an attempt both under way and already recorded (which would
 * refuse a check the limit allows) or in neither place (which would allow one too many). A turn is waited
 * for at most `turnWaitMs` (the database's query timeout), so a stalled database delays each attempt by one
 * timeout, not one per attempt queued before it; an attempt that goes ahead without its turn may count
 * another twice for a moment, never not at all.
 */
export class LoginThrottle {
  readonly #inFlight = new Map<string, number>();
  readonly #turns = new KeyedTurns();

  constructor(
    private readonly db: Queryable,
    private readonly limits: ThrottleLimits,
    private readonly turnWaitMs = 5000,
  ) {}

  async begin(account: AccountKeys, address: string): Promise<ThrottledAttempt> {
    // The name typed and the address first: theirs are the limits a refusal may show (VISIBLE_KEYS).
    const keys = [account.typed, `addr:${addressKey(address)}`, ...(account.user ? [account.user] : [])];
    const limits = [this.limits.maxFailures, this.limits.maxFailuresPerAddress, this.limits.maxFailures];
    const windowMs = this.limits.windowSeconds * 1000;
    const { found, recorded, full, now } = await this.#turns.take(keys, this.turnWaitMs, async () => {
      // Read once the turn is ours: failures recorded while waiting for it are younger than an earlier clock.
      const now = Date.now();
      // Held from before the read, so an attempt reading at the same time (one that did not get its turn in
      // time) counts this one too.
      const others = keys.map((key) => this.#inFlight.get(key) ?? 0);
      this.#hold(keys, 1);
      let rows: Array<{ key: string; failures: number; window_start: Date }>;
      try {
        ({ rows } = await this.db.query<{ key: string; failures: number; window_start: Date }>(
          'SELECT key, failures, window_start FROM login_throttle WHERE key = ANY($1) AND window_start > $2',
          [keys, new Date(now - windowMs)],
        ));
      } catch (error) {
        this.#hold(keys, -1);
        throw error;
      }
      const found = keys.map((key) => rows.find((row) => row.key === key));
      const recorded = found.map((row) => row?.failures ?? 0);
      const full = keys.map((_, i) => recorded[i]! + others[i]! >= limits[i]!);
      if (full.slice(0, VISIBLE_KEYS).includes(true)) this.#hold(keys, -1);
      return { found, recorded, full, now };
    });
    const allowed = !full.slice(0, VISIBLE_KEYS).includes(true);
    const locked = allowed && full.slice(VISIBLE_KEYS).includes(true);
    // A full counter starts over when its window ends; one full only by attempts under way opens its window with them.
    const windowEnds = found.filter((_, i) => i < VISIBLE_KEYS && full[i]).map((row) => (row ? new Date(row.window_start).getTime() : now) + windowMs);
    // At most one window: another replica's clock may run ahead of this one's.
    const retryAfterSeconds = Math.min(this.limits.windowSeconds, Math.max(1, Math.ceil((Math.max(now, ...windowEnds) - now) / 1000)));
    if (!allowed) return { allowed, locked, retryAfterSeconds, failed: async () => {}, succeeded: async () => {}, abandoned: () => {} };

    let settled = false;
    const settle = (write: () => Promise<unknown>) => {
      if (settled) return Promise.resolve();
      settled = true;
      return this.#turns.take(keys, this.turnWaitMs, async () => {
        try {
          await write();
        } finally {
          this.#hold(keys, -1);
        }
      });
    };
    // A success clears the failures of the name and of its user, not the address's: one success must not unlock a spray.
    const cleared = keys.filter((_, i) => i !== ADDRESS_KEY && recorded[i]! > 0);
    return {
      allowed,
      locked,
      retryAfterSeconds,
      failed: () => settle(() => this.#recordFailure(keys)),
      succeeded: () => settle(async () => {
        if (cleared.length > 0) await this.db.query('DELETE FROM login_throttle WHERE key = ANY($1)', [cleared]);
      }),
      abandoned: () => void settle(async () => {}),
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
      `INSERT INTO login_throttle (key, failures, window_start) SELECT key, 1, $2 FROM unnest($1::text[]) AS key
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 ELSE login_throttle.failures + 1 END,
         window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 ELSE login_throttle.window_start END`,
      [keys, now, since],
    );
  }
}

/**
 * Turns per key, first come first served: work on several keys waits for each of them, taken in one order
 * everywhere so two callers never wait for each other. A turn not had within `maxWaitMs` is gone ahead without.
 */
class KeyedTurns {
  readonly #tails = new Map<string, Promise<void>>();

  async take<T>(keys: readonly string[], maxWaitMs: number, work: () => Promise<T>): Promise<T> {
    const deadline = performance.now() + maxWaitMs;
    const ends: Array<() => void> = [];
    try {
      for (const key of [...new Set(keys)].sort()) ends.push(await this.#wait(key, deadline));
      return await work();
    } finally {
      for (const end of ends) end();
    }
  }

  async #wait(key: string, deadline: number): Promise<() => void> {
    const before = this.#tails.get(key);
    let end!: () => void;
    const mine = new Promise<void>((resolve) => (end = resolve));
    const tail = before ? before.then(() => mine) : mine;
    this.#tails.set(key, tail);
    // A key nobody holds (the usual login) is ours at once: no timer.
    if (before) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))));
      try {
        await Promise.race([before, waited]);
      } finally {
        clearTimeout(timer);
      }
    }
    return () => {
      end();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    };
  }
}
