import { pbkdf2 as pbkdf2Callback } from 'node:crypto';
import { promisify } from 'node:util';
import { DIGEST_BYTES, type DigestName } from './digest.js';

const pbkdf2Async = promisify(pbkdf2Callback);

/** How many times PBKDF2 runs all its rounds for a key of `keyLength` bytes: once per digest-sized block. */
export function pbkdf2Blocks(keyLength: number, hash: DigestName): number {
  return Math.ceil(keyLength / DIGEST_BYTES[hash]);
}

/** PBKDF2-HMAC on libuv's thread pool. */
export function pbkdf2(password: Uint8Array, salt: Uint8Array, iterations: number, keyLength: number, hash: DigestName): Promise<Buffer> {
  return pbkdf2Async(password, salt, iterations, keyLength, hash);
}
