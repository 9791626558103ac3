import { createHash, randomBytes } from 'node:crypto';
import { CRYPT64 } from './encoding/crypt64.js';
import { pbkdf2 } from './primitives/pbkdf2.js';
import { phpassChecksum } from './primitives/phpass.js';
import { shaCryptChecksum } from './primitives/sha-crypt.js';

/**
 * Hashes in legacy formats, written as the original products write them. The bridge never writes a legacy
 * hash in production; these fill the demo users table and test fixtures with realistic data.
 */

const utf8 = (text: string) => Buffer.from(text, 'utf8');

/** A random salt of `length` characters from the crypt alphabet. */
function cryptSalt(length: number): string {
  return [...randomBytes(length)].map((byte) => CRYPT64[byte % 64]).join('');
}

/** WordPress < 6.8 / phpBB: `$P$` + log2 char + 8-char salt + checksum. */
export function writePhpass(password: string, log2 = 13): string {
  const salt = cryptSalt(8);
  return `$P$${CRYPT64[log2]}${salt}${phpassChecksum('md5', utf8(password), Buffer.from(salt, 'latin1'), log2)}`;
}

/** Django's default: `pbkdf2_sha256$iterations$salt$base64(key)`, the salt used as its text. */
export async function writeDjangoPbkdf2(password: string, iterations = 260_000): Promise<string> {
  const salt = cryptSalt(22).replace(/[./]/g, 'x');
  const key = await pbkdf2(utf8(password), utf8(salt), iterations, 32, 'sha256');
  return `pbkdf2_sha256$${iterations}$${salt}$${key.toString('base64')}`;
}

/** OpenLDAP slappasswd: `{SSHA}` + base64(sha1(password ‖ salt) ‖ salt). */
export function writeLdapSsha(password: string): string {
  const salt = randomBytes(4);
  const digest = createHash('sha1').update(utf8(password)).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** A home-grown PHP app: hex(sha256(salt ‖ password)) with the salt in its own column. */
export function writeSaltedSha256(password: string): { hash: string; salt: string } {
  const salt = randomBytes(8).toString('hex');
  return { hash: createHash('sha256').update(utf8(salt)).update(utf8(password)).digest('hex'), salt };
}

/** glibc / /etc/shadow: `$6$salt$checksum` with the default 5000 rounds. */
export function writeSha512Crypt(password: string): string {
  const salt = cryptSalt(16);
  return `$6$${salt}$${shaCryptChecksum('sha512', utf8(password), Buffer.from(salt, 'latin1'), 5000)}`;
}

