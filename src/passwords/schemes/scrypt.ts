import { randomBytes } from 'node:crypto';
import { requireAtMost } from '../bounds.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';
import { scryptString } from '../encoding/passwap.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { scrypt, scryptMemoryBytes, type ScryptParams } from '../primitives/scrypt.js';
import type { PasswordScheme, SchemeContext } from '../scheme.js';
import { decimal, malformed, orNull, primitive } from './support.js';

/** scrypt as passlib and the PHC-style `$scrypt$ln=…,r=…,p=…$salt$hash` string write it. */

/** Refuse parameters over the bounds before any work. */
export function boundScrypt(scheme: string, params: Omit<ScryptParams, 'keyLength'>, keyLength: number, ctx: SchemeContext): void {
  const { bounds } = ctx;
  if (params.logN < 1 || params.r < 1 || params.p < 1) malformed(scheme, 'scrypt parameters below the minimum');
  requireAtMost(scheme, 'log2(N)', params.logN, bounds.scryptMaxLogN);
  requireAtMost(scheme, 'r', params.r, bounds.scryptMaxR);
  requireAtMost(scheme, 'p', params.p, bounds.scryptMaxP);
  requireAtMost(scheme, 'memory (MiB)', scryptMemoryBytes(params) / 2 ** 20, bounds.scryptMaxMemoryMiB);
  requireAtMost(scheme, 'work (128·N·r·p, MiB)', (scryptMemoryBytes(params) * params.p) / 2 ** 20, bounds.scryptMaxWorkMiB);
  if (keyLength < 1 || keyLength > 1024) malformed(scheme, 'scrypt key length out of range');
}

/** Bound, then derive a key of `expected.length` bytes and compare. */
export async function verifyScrypt(
  scheme: string,
  password: Uint8Array,
  salt: Uint8Array,
  params: Omit<ScryptParams, 'keyLength'>,
  expected: Uint8Array,
  ctx: SchemeContext,
): Promise<boolean> {
  boundScrypt(scheme, params, expected.length, ctx);
  const key = await primitive(scheme, () => scrypt(password, salt, { ...params, keyLength: expected.length }));
  return constantTimeEqual(key, expected);
}

const PASSLIB = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]*={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function parse(hash: string) {
  const m = PASSLIB.exec(hash);
  const logN = decimal(m?.[1]);
  const r = decimal(m?.[2]);
  const p = decimal(m?.[3]);
  const salt = decodeBase64(m?.[4] ?? '');
  const key = decodeBase64(m?.[5] ?? '');
  if (!m || logN === undefined || r === undefined || p === undefined || !salt || !key) return malformed('scrypt', 'not a $scrypt$ string');
  // passlib and RustCrypto write 32 bytes; less is a truncated hash, whose prefix scrypt would match.
  if (key.length < 32) malformed('scrypt', 'key shorter than 32 bytes');
  return { logN, r, p, salt, key };
}

export const scryptScheme: PasswordScheme = {
  id: 'scrypt',
  blocking: false,
  identify: ({ hash }) => hash.startsWith('$scrypt$ln='),
  verify: async (password, { hash }, ctx) => {
    const { salt, key, ...params } = parse(hash);
    return verifyScrypt('scrypt', password, salt, params, key, ctx);
  },
  toZitadel: ({ hash }) => orNull(() => {
    const { logN, r, p, salt, key } = parse(hash);
    return scryptString(logN, r, p, salt, key);
  }),
  dummy: () => ({ hash: `$scrypt$ln=15,r=8,p=1$${encodeBase64(randomBytes(16), false)}$${encodeBase64(randomBytes(32), false)}` }),
};
