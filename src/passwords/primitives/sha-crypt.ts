import { createHash, hash } from 'node:crypto';
import { encodeCrypt64 } from '../encoding/crypt64.js';

/** SHA-crypt (`$5$` / `$6$`), as specified by U. Drepper, "Unix crypt using SHA-256 and SHA-512". */

export const SHA_CRYPT_DEFAULT_ROUNDS = 5000;
export const SHA_CRYPT_MIN_ROUNDS = 1000;
export const SHA_CRYPT_MAX_ROUNDS = 999_999_999;
export const SHA_CRYPT_MAX_SALT = 16;

// Byte order of the final encoding (the spec's b64_from_24bit groups), applied before little-endian crypt64.
const ORDER_256 = [20, 10, 0, 11, 1, 21, 2, 22, 12, 23, 13, 3, 14, 4, 24, 5, 25, 15, 26, 16, 6, 17, 7, 27, 8, 28, 18, 29, 19, 9, 30, 31];
const ORDER_512 = [
  42, 21, 0, 1, 43, 22, 23, 2, 44, 45, 24, 3, 4, 46, 25, 26, 5, 47, 48, 27, 6, 7, 49, 28, 29, 8, 50, 51, 30, 9, 10, 52, 31, 32, 11, 53, 54, 33,
  12, 13, 55, 34, 35, 14, 56, 57, 36, 15, 16, 58, 37, 38, 17, 59, 60, 39, 18, 19, 61, 40, 41, 20, 62, 63,
];

export type ShaCryptVariant = 'sha256' | 'sha512';

function repeatTo(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i));
  return out;
}

/** The checksum part (after the last `$`) for a password, a salt of at most 16 bytes and rounds already clamped. */
export function shaCryptChecksum(variant: ShaCryptVariant, password: Uint8Array, salt: Uint8Array, rounds: number): string {
  const size = variant === 'sha256' ? 32 : 64;
  const h = () => createHash(variant);
  const pw = Buffer.from(password);
  const digestB = h().update(pw).update(salt).update(pw).digest();
  const a = h().update(pw).update(salt).update(repeatTo(digestB, pw.length));
  for (let i = pw.length; i > 0; i >>= 1) a.update(i & 1 ? digestB : pw);
  let c = a.digest();
  const dp = h();
  for (let i = 0; i < pw.length; i++) dp.update(pw);
  const p = repeatTo(dp.digest(), pw.length);
  const ds = h();
  for (let i = 0; i < 16 + (c[0] ?? 0); i++) ds.update(salt);
  const s = repeatTo(ds.digest(), salt.length);
  // The rounds, thousands of them: each one's input is laid out in one buffer and hashed in one call, rather
  // than through a hash object per round (which costs allocations and their finalisers several times over).
  // Longest layout: the digest, the salt part and the password part twice.
  const input = Buffer.alloc(size + s.length + 2 * p.length);
  for (let i = 0; i < rounds; i++) {
    let at = (i & 1 ? p : c).copy(input, 0);
    if (i % 3) at += s.copy(input, at);
    if (i % 7) at += p.copy(input, at);
    at += (i & 1 ? c : p).copy(input, at);
    c = hash(variant, input.subarray(0, at), 'buffer');
  }
  const order = size === 32 ? ORDER_256 : ORDER_512;
  return encodeCrypt64(Buffer.from(order.map((index) => c[index] ?? 0)));
}

/** Rounds as glibc applies them: absent means 5000, out-of-range values are clamped. */
export function clampShaCryptRounds(rounds: number | undefined): number {
  if (rounds === undefined) return SHA_CRYPT_DEFAULT_ROUNDS;
  return Math.min(SHA_CRYPT_MAX_ROUNDS, Math.max(SHA_CRYPT_MIN_ROUNDS, rounds));
}
