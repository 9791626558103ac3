import { DEFAULT_BOUNDS } from '../bounds.js';
import type { CostBounds } from '../scheme.js';
import { DEFAULT_ZITADEL_LIMITS, ZITADEL_MAX_HASH_LENGTH, ZITADEL_VERIFIERS, type ZitadelLimits, type ZitadelVerifier } from './limits.js';
import type { ZitadelHash, ZitadelVerifierSpec } from './types.js';
import { argon2Verifier } from './verifiers/argon2.js';
import { bcryptVerifier } from './verifiers/bcrypt.js';
import { drupal7Verifier } from './verifiers/drupal7.js';
import { md5Verifier } from './verifiers/md5.js';
import { md5plainVerifier } from './verifiers/md5plain.js';
import { md5saltedVerifier } from './verifiers/md5salted.js';
import { pbkdf2Verifier } from './verifiers/pbkdf2.js';
import { phpassVerifier } from './verifiers/phpass.js';
import { scryptVerifier } from './verifiers/scrypt.js';
import { sha2Verifier } from './verifiers/sha2.js';

/**
 * ZITADEL's side of a hand-off, after passwap: which verifier claims a hash string, whether an import
 * passes ZITADEL's limits, and whether a password verifies as ZITADEL would verify it. Parsing
 * follows passwap's rules, not the legacy schemes' (e.g. strict unpadded base64 for argon2/scrypt).
 */

export { DEFAULT_ZITADEL_LIMITS, ZITADEL_MAX_HASH_LENGTH, ZITADEL_VERIFIERS, type ZitadelLimits, type ZitadelVerifier } from './limits.js';
export type { ZitadelHash } from './types.js';

export const zitadelVerifiers: ReadonlyMap<ZitadelVerifier, ZitadelVerifierSpec> = new Map(
  [
    argon2Verifier,
    bcryptVerifier,
    md5Verifier,
    md5plainVerifier,
    md5saltedVerifier,
    phpassVerifier,
    sha2Verifier,
    scryptVerifier,
    pbkdf2Verifier,
    drupal7Verifier,
  ].map((spec) => [spec.name, spec]),
);

/** The first enabled verifier (in the given order) that parses the string, as passwap's swapper picks it. */
export function claimZitadelHash(encoded: string, verifiers: readonly ZitadelVerifier[] = ZITADEL_VERIFIERS): ZitadelHash | undefined {
  for (const name of verifiers) {
    const parsed = zitadelVerifiers.get(name)?.parse(encoded);
    if (parsed) return parsed;
  }
  return undefined;
}

export interface ZitadelImportRules {
  readonly verifiers?: readonly ZitadelVerifier[];
  readonly limits?: ZitadelLimits;
}

export type ZitadelImportCheck = { readonly ok: true; readonly hash: ZitadelHash } | { readonly ok: false; readonly reason: string };

/** Would ZITADEL accept this string as `hashedPassword`? The reason never quotes the hash. */
export function checkZitadelImport(encoded: string, rules: ZitadelImportRules = {}): ZitadelImportCheck {
  if (encoded.length > ZITADEL_MAX_HASH_LENGTH) return { ok: false, reason: `longer than ${ZITADEL_MAX_HASH_LENGTH} characters` };
  const hash = claimZitadelHash(encoded, rules.verifiers);
  if (!hash) return { ok: false, reason: 'no enabled ZITADEL verifier reads this format' };
  const violation = hash.outOfLimits(rules.limits ?? DEFAULT_ZITADEL_LIMITS);
  if (violation) return { ok: false, reason: `${hash.verifier}: ${violation} (ZITADEL import limits)` };
  return { ok: true, hash };
}

export interface ZitadelVerifyOptions extends ZitadelImportRules {
  /** Check ZITADEL's import limits first (default), or not (`false`) to test hashes outside them. */
  readonly enforceLimits?: boolean;
  /** The bridge's own caps on the work one verification may cost. */
  readonly bounds?: CostBounds;
}

export class ZitadelHashError extends Error {
  override readonly name = 'ZitadelHashError';
  readonly code = 'ZITADEL_HASH_REFUSED';
}

/**
 * Verify `password` (UTF-8) against a ZITADEL-format hash the way ZITADEL's verifiers do. A wrong
 * password is `false`; a string ZITADEL would refuse throws `ZitadelHashError`.
 */
export async function verifyZitadelHash(encoded: string, password: string | Uint8Array, options: ZitadelVerifyOptions = {}): Promise<boolean> {
  const check = options.enforceLimits === false ? undefined : checkZitadelImport(encoded, options);
  if (check && !check.ok) throw new ZitadelHashError(check.reason);
  const hash = check?.hash ?? claimZitadelHash(encoded, options.verifiers);
  if (!hash) throw new ZitadelHashError('no enabled ZITADEL verifier reads this format');
  const over = hash.overBounds(options.bounds ?? DEFAULT_BOUNDS);
  if (over) throw new ZitadelHashError(`${hash.verifier}: ${over}`);
  return hash.verify(typeof password === 'string' ? Buffer.from(password, 'utf8') : password);
}
