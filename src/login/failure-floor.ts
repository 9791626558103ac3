import { setTimeout as sleep } from 'node:timers/promises';

/** Where time comes from; tests pass a fake one. */
export interface Clock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const realClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** How much one new measurement moves the estimate: enough to follow load, too little for one outlier to matter. */
const WEIGHT = 0.2;

/**
 * The least time a failed login takes: the typical duration of the dummy verification an unknown name
 * costs, estimated from the dummy verifications actually run. Without it a user whose stored hash is cheaper
 * than the dummy (salted SHA-256 against bcrypt) fails faster than a name that does not exist, and the
 * difference tells which names exist. The rest of the floor is waited out with a timer, not spent working.
 */
export class FailureFloor {
  #typicalMs: number | undefined;

  constructor(private readonly clock: Clock = realClock) {}

  now(): number {
    return this.clock.now();
  }

  get measured(): boolean {
    return this.#typicalMs !== undefined;
  }

  /**
   * Run a dummy verification and fold its duration into the estimate, if it hashed: one that did no work
   * (a password over the length cap) is instant, and enough of those would wear the floor down to nothing.
   */
  async measure(dummy: () => Promise<boolean>): Promise<void> {
    const started = this.clock.now();
    if (!(await dummy())) return;
    const took = this.clock.now() - started;
    this.#typicalMs = this.#typicalMs === undefined ? took : this.#typicalMs + WEIGHT * (took - this.#typicalMs);
  }

  /** Wait until an attempt that began at `startedAt` has taken the floor. */
  async waitOut(startedAt: number): Promise<void> {
    const remaining = (this.#typicalMs ?? 0) - (this.clock.now() - startedAt);
    if (remaining > 0) await this.clock.sleep(remaining);
  }
}
