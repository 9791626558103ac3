import { hash } from 'node:crypto';
import { encodeCrypt64 } from '../encoding/crypt64.js';

/**
 * The portable phpass construction (WordPress, phpBB, Drupal): digest(salt ‖ password), then
 * 2^log2 times digest(previous ‖ password), encoded in crypt64. MD5 for `$P$`/`$H$`, SHA-512 for
 * Drupal's `$S$`.
 */
export function phpassChecksum(algorithm: 'md5' | 'sha512', password: Uint8Array, salt: Uint8Array, log2: number): string {
  let digest = hash(algorithm, Buffer.concat([salt, password]), 'buffer');
  // Up to a million iterations: the input is laid out once, each digest written over the previous one and
  // hashed in one call, rather than through a hash object per iteration (allocations and finalisers).
  const input = Buffer.alloc(digest.length + password.length);
  input.set(password, digest.length);
  for (let count = 2 ** log2; count > 0; count--) {
    digest.copy(input, 0);
    digest = hash(algorithm, input, 'buffer');
  }
  return encodeCrypt64(digest);
}
