import { handOffConfigSchema, passwordsConfigSchema, schemeOptions, type HandOffConfigInput, type PasswordsConfigInput } from './config.js';
import { isHex } from './encoding/hex.js';
import { UnsupportedHashError } from './errors.js';
import { getScheme } from './registry.js';
import { chooseRehash, rehashPassword } from './rehash.js';
import type { SchemeContext, StoredCredential } from './scheme.js';
import { checkZitadelImport } from './zitadel-format/index.js';

/**
 * What goes to ZITADEL for a verified credential: the stored hash unchanged (native), a lossless
 * re-encoding into a format ZITADEL reads (reencoded), a fresh hash of the password just verified
 * (rehash), or nothing (none, with the reason). Unchanged and re-encoded hashes are offered only when
 * an enabled ZITADEL verifier claims them within its import limits.
 */

export type HandOff = { kind: 'native' | 'reencoded' | 'rehash'; hash: string } | { kind: 'none'; hash: null; reason: string };

/** How the password matched, from `PasswordChecker.verify`. */
export interface VerifiedAs {
  readonly legacyCharset?: 'latin1';
}

export interface HandOffPolicy {
  /** password = the plaintext just verified (for re-hash), or undefined (batch: no password known) */
  decide(stored: StoredCredential, scheme: string, password: string | undefined, verified?: VerifiedAs): Promise<HandOff>;
}

/**
 * `passwords` is the legacy source's configuration: salted and Spring formats need its options to be
 * re-encoded, and a peppered source is never handed over unchanged.
 */
export function createHandOff(config: HandOffConfigInput, passwords: PasswordsConfigInput = {}): HandOffPolicy {
  const { zitadel, rehash } = handOffConfigSchema.parse(config);
  const source = passwordsConfigSchema.parse(passwords);
  const ctx: SchemeContext = { bounds: source.bounds, options: schemeOptions(source.options) };

  /** The importable form of the stored hash, or why there is none. */
  function exportable(stored: StoredCredential, schemeId: string, verified?: VerifiedAs): { hash: string } | { reason: string } {
    if (ctx.options.pepper) return { reason: 'the source is peppered' };
    if (verified?.legacyCharset) return { reason: 'the password matched in the legacy charset' };
    const scheme = getScheme(schemeId);
    if (!scheme) throw new UnsupportedHashError([schemeId]);
    let candidate: string | null;
    try {
      candidate = scheme.toZitadel(stored, ctx);
    } catch {
      candidate = null;
    }
    if (candidate === null) return { reason: `${schemeId} has no form ZITADEL reads` };
    const check = checkZitadelImport(candidate, { verifiers: zitadel.verifiers, limits: zitadel.limits });
    if (!check.ok) return { reason: check.reason };
    // md5plain claims every hex string; only an md5 digest may ever be offered to it.
    if (check.hash.verifier === 'md5plain' && !isHex(candidate, 16)) return { reason: 'not an md5 digest' };
    return { hash: candidate };
  }

  return {
    async decide(stored, schemeId, password, verified) {
      const found = exportable(stored, schemeId, verified);
      if ('hash' in found) return { kind: found.hash === stored.hash ? 'native' : 'reencoded', hash: found.hash };
      if (password === undefined) return { kind: 'none', hash: null, reason: `no password to re-hash, and ${found.reason}` };
      const bytes = Buffer.from(password, 'utf8');
      const choice = chooseRehash(rehash, zitadel.verifiers, bytes.length);
      if ('reason' in choice) return { kind: 'none', hash: null, reason: choice.reason };
      const hash = await rehashPassword(bytes, choice.algorithm, rehash);
      const check = checkZitadelImport(hash, { verifiers: zitadel.verifiers, limits: zitadel.limits });
      if (!check.ok) return { kind: 'none', hash: null, reason: `re-hash refused: ${check.reason}` };
      return { kind: 'rehash', hash };
    },
  };
}
