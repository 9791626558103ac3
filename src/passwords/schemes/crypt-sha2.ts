import { requireAtMost, requirePasswordWorkAtMost } from '../bounds.js';
import { constantTimeEqualText } from '../primitives/compare.js';
import { clampShaCryptRounds, SHA_CRYPT_MAX_SALT, shaCryptChecksum, type ShaCryptVariant } from '../primitives/sha-crypt.js';
import type { PasswordScheme, SchemeContext } from '../scheme.js';
import { malformed, orNull, randomCrypt64 } from './support.js';

/** SHA-crypt `$5$` / `$6$` from glibc/libxcrypt shadow files, openssl and PHP crypt(). */

export interface ShaCryptHash {
  readonly variant: ShaCryptVariant;
  /** As written in the string, absent when the string has no `rounds=`. */
  readonly rounds?: number;
  readonly salt: string;
  readonly checksum: string;
}

const LENGTH: Record<ShaCryptVariant, number> = { sha256: 43, sha512: 86 };

export function parseShaCrypt(scheme: string, hash: string): ShaCryptHash {
  const m = /^\$([56])\$(?:rounds=(\d{1,12})\$)?([^$\n]*)\$([./0-9A-Za-z]+)$/.exec(hash);
  if (!m) return malformed(scheme, 'not a sha-crypt string');
  const variant: ShaCryptVariant = m[1] === '5' ? 'sha256' : 'sha512';
  const checksum = m[4] ?? '';
  if (checksum.length !== LENGTH[variant]) malformed(scheme, 'checksum length');
  return { variant, ...(m[2] === undefined ? {} : { rounds: Number(m[2]) }), salt: m[3] ?? '', checksum };
}

export async function verifyShaCrypt(scheme: string, password: Uint8Array, parsed: ShaCryptHash, ctx: SchemeContext): Promise<boolean> {
  const rounds = clampShaCryptRounds(parsed.rounds);
  const salt = Buffer.from(parsed.salt.slice(0, SHA_CRYPT_MAX_SALT), 'utf8');
  const size = parsed.variant === 'sha256' ? 32 : 64;
  requireAtMost(scheme, 'rounds', rounds, ctx.bounds.shaCryptMaxRounds);
  // Every round hashes the password twice, with the salt and the previous digest.
  requirePasswordWorkAtMost(scheme, rounds, ctx.bounds.shaCryptMaxRounds, password.length, (bytes) => size + salt.length + 2 * bytes);
  return constantTimeEqualText(shaCryptChecksum(parsed.variant, password, salt, rounds), parsed.checksum);
}

/**
 * glibc reads at most 16 salt characters and clamps rounds to 1000–999 999 999; passwap compares the
 * whole string it rebuilds, so the canonical spelling is the one it can verify.
 */
export function shaCryptToZitadel(parsed: ShaCryptHash): string {
  const id = parsed.variant === 'sha256' ? '5' : '6';
  const rounds = parsed.rounds === undefined ? '' : `rounds=${clampShaCryptRounds(parsed.rounds)}$`;
  return `$${id}$${rounds}${parsed.salt.slice(0, SHA_CRYPT_MAX_SALT)}$${parsed.checksum}`;
}

function shaCryptScheme(id: string, variant: ShaCryptVariant): PasswordScheme {
  const marker = variant === 'sha256' ? '$5$' : '$6$';
  return {
    id,
    blocking: true,
    identify: ({ hash }) => hash.startsWith(marker),
    verify: async (password, { hash }, ctx) => verifyShaCrypt(id, password, parseShaCrypt(id, hash), ctx),
    toZitadel: ({ hash }) => orNull(() => shaCryptToZitadel(parseShaCrypt(id, hash))),
    dummy: () => ({ hash: `${marker}${randomCrypt64(16)}$${randomCrypt64(LENGTH[variant])}` }),
  };
}

export const sha256CryptScheme = shaCryptScheme('sha256-crypt', 'sha256');
export const sha512CryptScheme = shaCryptScheme('sha512-crypt', 'sha512');
