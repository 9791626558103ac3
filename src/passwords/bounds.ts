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
  // glibc accepts up to 999 999 999; in JavaScript a million rounds take about 2 s of one core.
  shaCryptMaxRounds: 1_000_000,
  // phpass and Drupal themselves allow 2^30; 2^20 is ~1 s of MD5/SHA-512 in JavaScript.
  phpassMaxLog2: 20,
  drupalMaxLog2: 20,
};

/** Throw `HashBoundsError` when `value` is above `max`. The message names the cap, not the value. */
export function requireAtMost(scheme: string, parameter: string, value: number, max: number): void {
  if (!(value <= max)) throw new HashBoundsError(scheme, `${parameter} above the cap of ${max}`);
}
