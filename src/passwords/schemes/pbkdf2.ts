import { randomBytes } from 'node:crypto';
import { requireAtMost } from '../bounds.js';
import { decodeBase64, encodeAb64 } from '../encoding/base64.js';
import { pbkdf2String } from '../encoding/passwap.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { DIGEST_BYTES, type DigestName } from '../primitives/digest.js';
import { pbkdf2, pbkdf2Blocks } from '../primitives/pbkdf2.js';
import type { PasswordScheme, SchemeContext } from '../scheme.js';
import { decimal, malformed, orNull } from './support.js';

/** PBKDF2-HMAC as passlib writes it (`$pbkdf2-sha256$rounds$salt$key`, adapted base64). */

/** Bound, then derive a key of `expected.length` bytes and compare. */
export async function verifyPbkdf2(
  scheme: string,
  password: Uint8Array,
  salt: Uint8Array,
  rounds: number,
  hash: DigestName,
  expected: Uint8Array,
  ctx: SchemeContext,
): Promise<boolean> {
  if (rounds < 1) malformed(scheme, 'rounds below 1');
  // The work grows with the key length too: every digest-sized block of the key repeats all the rounds.
  requireAtMost(scheme, 'derived key length', expected.length, 256);
  if (expected.length === 0) malformed(scheme, 'empty derived key');
  requireAtMost(scheme, 'rounds × key blocks', rounds * pbkdf2Blocks(expected.length, hash), ctx.bounds.pbkdf2MaxRounds);
  const key = await pbkdf2(password, salt, rounds, expected.length, hash);
  return constantTimeEqual(key, expected);
}

export interface PasslibPbkdf2 {
  readonly rounds: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/**
 * `rounds$salt$key` in adapted base64, the part after passlib's (or LDAP's) prefix. A key shorter
 * than the digest is a truncated hash (passlib refuses it; PBKDF2 would match its prefix).
 */
export function parsePasslibPbkdf2(scheme: string, body: string, hash: DigestName): PasslibPbkdf2 {
  const m = /^(\d+)\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]+)$/.exec(body);
  const rounds = decimal(m?.[1]);
  const salt = decodeBase64(m?.[2] ?? '', { alphabet: 'ab64', padding: 'forbidden' });
  const key = decodeBase64(m?.[3] ?? '', { alphabet: 'ab64', padding: 'forbidden' });
  if (!m || rounds === undefined || !salt || !key) return malformed(scheme, 'not a passlib pbkdf2 string');
  if (key.length < DIGEST_BYTES[hash]) malformed(scheme, 'derived key shorter than the digest');
  return { rounds, salt, key };
}

function passlibScheme(id: string, prefix: string, hash: DigestName, dummyRounds: number): PasswordScheme {
  const body = (text: string): string => (text.startsWith(prefix) ? text.slice(prefix.length) : malformed(id, 'wrong prefix'));
  return {
    id,
    blocking: false,
    identify: ({ hash: text }) => text.startsWith(prefix) && /^\d/.test(text.slice(prefix.length)),
    verify: async (password, { hash: text }, ctx) => {
      const { rounds, salt, key } = parsePasslibPbkdf2(id, body(text), hash);
      return verifyPbkdf2(id, password, salt, rounds, hash, key, ctx);
    },
    toZitadel: ({ hash: text }) => orNull(() => {
      const { rounds, salt, key } = parsePasslibPbkdf2(id, body(text), hash);
      return pbkdf2String(hash, rounds, salt, key);
    }),
    dummy: () => ({ hash: `${prefix}${dummyRounds}$${encodeAb64(randomBytes(16))}$${encodeAb64(randomBytes(DIGEST_BYTES[hash]))}` }),
  };
}

export const pbkdf2Sha256Scheme = passlibScheme('pbkdf2-sha256', '$pbkdf2-sha256$', 'sha256', 29000);
export const pbkdf2Sha1Scheme = passlibScheme('pbkdf2-sha1', '$pbkdf2$', 'sha1', 131000);
export const pbkdf2Sha512Scheme = passlibScheme('pbkdf2-sha512', '$pbkdf2-sha512$', 'sha512', 25000);
