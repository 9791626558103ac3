import type { DigestName } from '../primitives/digest.js';
import { encodeAb64, encodeBase64 } from './base64.js';

/**
 * Writers for the strings ZITADEL's verifiers (passwap) read, in their canonical form, so that every
 * re-encoding is spelled once.
 */

const PBKDF2_IDS: Partial<Record<DigestName, string>> = {
  sha1: 'pbkdf2',
  sha224: 'pbkdf2-sha224',
  sha256: 'pbkdf2-sha256',
  sha384: 'pbkdf2-sha384',
  sha512: 'pbkdf2-sha512',
};

/** `$pbkdf2[-shaN]$rounds$salt$key` in passlib's adapted base64; `null` for a digest passwap lacks. */
export function pbkdf2String(hash: DigestName, rounds: number, salt: Uint8Array, key: Uint8Array): string | null {
  const id = PBKDF2_IDS[hash];
  if (!id || salt.length === 0 || key.length === 0) return null;
  return `$${id}$${rounds}$${encodeAb64(salt)}$${encodeAb64(key)}`;
}

/** `$scrypt$ln=…,r=…,p=…$salt$key`, standard base64 without padding. */
export function scryptString(logN: number, r: number, p: number, salt: Uint8Array, key: Uint8Array): string | null {
  if (salt.length === 0 || key.length === 0) return null;
  return `$scrypt$ln=${logN},r=${r},p=${p}$${encodeBase64(salt, false)}$${encodeBase64(key, false)}`;
}

/** PHC argon2 (version 19 only: passwap refuses others), standard base64 without padding. */
export function argon2String(type: 'argon2i' | 'argon2id', memoryKiB: number, time: number, parallelism: number, salt: Uint8Array, hash: Uint8Array): string | null {
  if (salt.length === 0 || hash.length === 0) return null;
  return `$${type}$v=19$m=${memoryKiB},t=${time},p=${parallelism}$${encodeBase64(salt, false)}$${encodeBase64(hash, false)}`;
}

/**
 * A salt passwap's md5salted can carry: text without `$` or white space (it reads the string as words, the
 * `$`s turned into spaces; white space as Go's scanner counts it). It hashes the salt's UTF-8 bytes.
 */
export function isMd5SaltedSalt(salt: string): boolean {
  return salt.length > 0 && !/[$\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(salt);
}

/** `$md5salted-prefix$salt$b64` = md5(salt ‖ pw), `-suffix` = md5(pw ‖ salt); padded base64. */
export function md5SaltedString(order: 'prefix' | 'suffix', salt: string, digest: Uint8Array): string | null {
  if (digest.length !== 16 || !isMd5SaltedSalt(salt)) return null;
  return `$md5salted-${order}$${salt}$${encodeBase64(digest, true)}`;
}

/** md5plain: bare hex. */
export function md5PlainString(digest: Uint8Array): string | null {
  return digest.length === 16 ? Buffer.from(digest).toString('hex') : null;
}
