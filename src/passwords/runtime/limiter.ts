import { PasswordBusyError } from '../errors.js';

/**
 * At most `maxActive` tasks at once and `maxQueued` waiting; beyond that a task is refused at once
 * (PasswordBusyError) so a saturated login answers fast instead of piling up.
 */
export class Limiter {
  private active = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly maxActive: number,
    private readonly maxQueued: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.maxActive) {
      if (this.queue.length >= this.maxQueued) throw new PasswordBusyError();
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await task();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else this.active--;
    }
  }
}
