import { HashBoundsError, type CostBounds } from './scheme.js';

/**
 * Default caps on the work one stored hash may ask for. They sit above every real-world default we
 * know of (bcrypt 10–12, PHP argon2 64 MiB, passlib pbkdf2 29 000 / sha-crypt 656 000 rounds,
 * WordPress phpass 2^13, Drupal 2^15–2^16) and well below what would stall a login: a hash beyond
 * them is refused, not computed.
 */
export const DEFAULT_BOUNDS: CostBounds = {
  maxPasswordBytes: 1024,
  maxHashLength: 4096,
  bcryptMaxCost: 16,
  argon2MaxMemoryKiB: 256 * 1024,
  argon2MaxTime: 10,
  argon2MaxParallelism: 16,
  scryptMaxLogN: 20,
  scryptMaxR: 32,
  scryptMaxP: 16,
  scryptMaxMemoryMiB: 256,
  // Real formats use p = 1 (Firebase, Django, passlib); p = 16 at the memory cap took 7 s.
  scryptMaxWorkMiB: 512,
  pbkdf2MaxRounds: 10_000_000,
  // glibc accepts up to 999 999 999; in JavaScript a million SHA-512 rounds take about 2 s of one core
  // (SHA-256 less), for a password of up to 64 bytes; longer passwords get fewer rounds.
  shaCryptMaxRounds: 1_000_000,
  // phpass and Drupal themselves allow 2^30; 2^20 takes about 2 s of one core in JavaScript, MD5 or
  // SHA-512 alike (the call per iteration costs more than the digest), as sha-crypt at its cap.
  phpassMaxLog2: 20,
  drupalMaxLog2: 20,
};

/** Throw `HashBoundsError` when `value` is above `max`. The message names the cap, not the value. */
export function requireAtMost(scheme: string, parameter: string, value: number, max: number): void {
  if (!(value <= max)) throw new HashBoundsError(scheme, `${parameter} above the cap of ${max}`);
}

/**
 * bcrypt computed in JavaScript (`$2x$` with an 8-bit password) is 2–5 times slower than the native library
 * (2 once compiled): its cap is three below `bcryptMaxCost` (8 times less work), so it asks no more of a
 * worker thread than native bcrypt at the cap asks of libuv's pool.
 */
export function javascriptBcryptMaxCost(bounds: CostBounds): number {
  return bounds.bcryptMaxCost - 3;
}

/** The password length iteration caps are stated for: longer passwords get proportionally fewer iterations. */
const CAP_PASSWORD_BYTES = 64;

// One iteration's fixed cost in JavaScript (the call into the digest, the copies around it) is about that of
// hashing this many bytes: measured ~2 µs per iteration and 0.8–1.7 ns per byte, so 1.2–1.6 KiB. Rounded down,
// so that a long password counts for rather more than less.
const ITERATION_OVERHEAD_BYTES = 1024;

/**
 * For a digest iterated in JavaScript over the password (sha-crypt, phpass): the work these iterations do with
 * this password, bounded. `bytesPerIteration(n)` is what one iteration hashes for an n-byte password; the work
 * may be at most that of `maxIterations` for a password of CAP_PASSWORD_BYTES. The iteration count itself is
 * the caller's to check first.
 */
export function requirePasswordWorkAtMost(
  scheme: string,
  iterations: number,
  maxIterations: number,
  passwordBytes: number,
  bytesPerIteration: (passwordBytes: number) => number,
): void {
  const work = iterations * (ITERATION_OVERHEAD_BYTES + bytesPerIteration(passwordBytes));
  const budget = maxIterations * (ITERATION_OVERHEAD_BYTES + bytesPerIteration(CAP_PASSWORD_BYTES));
  if (!(work <= budget)) {
    throw new HashBoundsError(scheme, `iterations times password length above the cap (its iterations are capped for passwords up to ${CAP_PASSWORD_BYTES} bytes)`);
  }
}
