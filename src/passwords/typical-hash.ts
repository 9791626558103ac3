import type { StoredCredential } from './scheme.js';

/** Distinct stored values remembered: enough for a median, few enough to follow a changing table. */
const REMEMBERED = 15;

/**
 * The stored value an unknown user's dummy verification imitates, so that it costs what a known user's
 * failure typically costs: of the last distinct values verified, the one whose verification took the median
 * time. A row of unusual cost, dear or cheap, is then imitated only once most recent logins meet such rows;
 * a login repeated against one row counts once, so no single row decides what every unknown name costs.
 */
export class TypicalHash {
  readonly #recent: Array<{ readonly stored: StoredCredential; readonly ms: number }> = [];

  /** A value just verified, and how long its verification took. */
  record(stored: StoredCredential, ms: number): void {
    const at = this.#recent.findIndex((entry) => entry.stored.hash === stored.hash && entry.stored.salt === stored.salt);
    if (at >= 0) this.#recent.splice(at, 1);
    this.#recent.push({ stored, ms });
    if (this.#recent.length > REMEMBERED) this.#recent.shift();
  }

  /** The median value, the lower of the two middle ones for an even count; none before the first login. */
  get value(): StoredCredential | undefined {
    const sorted = [...this.#recent].sort((a, b) => a.ms - b.ms);
    return sorted[(sorted.length - 1) >> 1]?.stored;
  }
}
