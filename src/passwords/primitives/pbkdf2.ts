import { pbkdf2 as pbkdf2Callback } from 'node:crypto';
import { promisify } from 'node:util';
import type { DigestName } from './digest.js';

const pbkdf2Async = promisify(pbkdf2Callback);

/** PBKDF2-HMAC on libuv's thread pool. */
export function pbkdf2(password: Uint8Array, salt: Uint8Array, iterations: number, keyLength: number, hash: DigestName): Promise<Buffer> {
  return pbkdf2Async(password, salt, iterations, keyLength, hash);
}
