import { pbkdf2 } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * libuv's pool threads, where the native hashing runs (bcrypt, argon2, PBKDF2, scrypt: the formats most
 * legacy users bring), run at a lower priority than the thread that answers requests: under a flood of
 * logins every core hashes, yet a health check or a page still gets the CPU at once. Linux only (elsewhere
 * this does nothing); a thread's niceness there is its own. The JavaScript-hashing workers keep their
 * priority: lowered, they measured about 9 % slower even with a core to spare.
 */
export const HASHING_NICENESS = 10;

let lowered: Promise<number> | undefined;

/**
 * Lower libuv's thread pool, where bcrypt, argon2, PBKDF2 and scrypt run. Its threads start with the first
 * job, so one is queued first; they are then found by the name libuv gives them.
 */
export function lowerThreadPool(): Promise<number> {
  lowered ??= (async () => {
    if (process.platform !== 'linux') return 0;
    await new Promise((resolve) => pbkdf2('', '', 1, 1, 'sha256', resolve));
    let count = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
        setPriority(Number(tid), HASHING_NICENESS);
        count += 1;
      } catch {
        // A thread gone, or not permitted: leave it.
      }
    }
    return count;
  })();
  return lowered;
}
