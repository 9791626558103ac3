import { randomBytes } from 'node:crypto';
import { requireAtMost } from '../bounds.js';
import { decodeBase64, encodeBase64 } from '../encoding/base64.js';
import { argon2String } from '../encoding/passwap.js';
import { argon2Raw, type Argon2Type } from '../primitives/argon2.js';
import { constantTimeEqual } from '../primitives/compare.js';
import type { PasswordScheme, SchemeContext } from '../scheme.js';
import { decimal, malformed, orNull, primitive } from './support.js';

/** Argon2 in the PHC string format (libargon2, PHP, argon2-cffi, node-argon2, Symfony). */

export interface Argon2Hash {
  readonly type: Argon2Type;
  readonly version: 16 | 19;
  readonly memoryKiB: number;
  readonly time: number;
  readonly parallelism: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

// The version field is optional: argon2 before 1.3 wrote none, which means 0x10.
const PHC = /^\$(argon2(?:id|i|d))\$(?:v=(\d+)\$)?m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export function parseArgon2(scheme: string, text: string): Argon2Hash {
  const m = PHC.exec(text);
  if (!m) return malformed(scheme, 'not an argon2 PHC string');
  const version = m[2] === undefined ? 16 : decimal(m[2]);
  if (version !== 16 && version !== 19) return malformed(scheme, 'unknown argon2 version');
  const memoryKiB = decimal(m[3]);
  const time = decimal(m[4]);
  const parallelism = decimal(m[5]);
  const salt = decodeBase64(m[6] ?? '');
  const hash = decodeBase64(m[7] ?? '');
  if (memoryKiB === undefined || time === undefined || parallelism === undefined || !salt || !hash) return malformed(scheme, 'bad argon2 field');
  return { type: m[1] as Argon2Type, version, memoryKiB, time, parallelism, salt, hash };
}

export async function verifyArgon2(scheme: string, password: Uint8Array, parsed: Argon2Hash, ctx: SchemeContext): Promise<boolean> {
  const { bounds } = ctx;
  requireAtMost(scheme, 'memory (KiB)', parsed.memoryKiB, bounds.argon2MaxMemoryKiB);
  requireAtMost(scheme, 'time', parsed.time, bounds.argon2MaxTime);
  requireAtMost(scheme, 'parallelism', parsed.parallelism, bounds.argon2MaxParallelism);
  if (parsed.time < 1 || parsed.parallelism < 1 || parsed.memoryKiB < 8 * parsed.parallelism) malformed(scheme, 'argon2 parameters below the minimum');
  if (parsed.hash.length < 4 || parsed.hash.length > 1024 || parsed.salt.length < 8) malformed(scheme, 'argon2 salt or output length out of range');
  const computed = await primitive(scheme, () =>
    argon2Raw(password, { ...parsed, outputLength: parsed.hash.length }),
  );
  return constantTimeEqual(computed, parsed.hash);
}

/** ZITADEL's argon2 verifier takes argon2i/argon2id at version 19, in canonical unpadded base64. */
export function argon2ToZitadel(parsed: Argon2Hash): string | null {
  if (parsed.type === 'argon2d' || parsed.version !== 19) return null;
  return argon2String(parsed.type, parsed.memoryKiB, parsed.time, parsed.parallelism, parsed.salt, parsed.hash);
}

export function argon2Dummy(type: Argon2Type): string {
  return `$${type}$v=19$m=19456,t=2,p=1$${encodeBase64(randomBytes(16), false)}$${encodeBase64(randomBytes(32), false)}`;
}

function argon2Scheme(type: Argon2Type): PasswordScheme {
  return {
    id: type,
    blocking: false,
    identify: ({ hash }) => hash.startsWith(`$${type}$`),
    verify: async (password, { hash }, ctx) => verifyArgon2(type, password, parseArgon2(type, hash), ctx),
    toZitadel: ({ hash }) => orNull(() => argon2ToZitadel(parseArgon2(type, hash))),
    dummy: () => ({ hash: argon2Dummy(type) }),
  };
}

export const argon2idScheme = argon2Scheme('argon2id');
export const argon2iScheme = argon2Scheme('argon2i');
export const argon2dScheme = argon2Scheme('argon2d');
