import { createHash } from 'node:crypto';
import { encodeCrypt64 } from '../encoding/crypt64.js';

/**
 * The portable phpass construction (WordPress, phpBB, Drupal): digest(salt ‖ password), then
 * 2^log2 times digest(previous ‖ password), encoded in crypt64. MD5 for `$P$`/`$H$`, SHA-512 for
 * Drupal's `$S$`.
 */
export function phpassChecksum(algorithm: 'md5' | 'sha512', password: Uint8Array, salt: Uint8Array, log2: number): string {
  let hash = createHash(algorithm).update(salt).update(password).digest();
  for (let count = 2 ** log2; count > 0; count--) hash = createHash(algorithm).update(hash).update(password).digest();
  return encodeCrypt64(hash);
}
