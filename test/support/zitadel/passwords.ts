import bcrypt from 'bcrypt';
import { Code, requireText, validationError, zitadelError } from './errors.js';
import type { StoredPassword, ZitadelState } from './state.js';

export type HashClassification =
  | { readonly ok: true; readonly verifier: string }
  | { readonly ok: false; readonly reason: 'unsupported' | 'limits' | 'too-long'; readonly message: string };

/**
 * ZITADEL's password-hash library (passwap) as the double needs it, injected so the double stays generic:
 * which enabled verifier claims an imported hash and whether it is inside the import limits, and how a
 * password verifies against it.
 */
export interface ImportedHashPolicy {
  classify(hash: string, enabledVerifiers: readonly string[]): HashClassification;
  verify(password: string, hash: string): Promise<boolean>;
}

export interface PasswordComplexity {
  readonly minLength: number;
  readonly hasUppercase: boolean;
  readonly hasLowercase: boolean;
  readonly hasNumber: boolean;
  readonly hasSymbol: boolean;
}

/** ZITADEL's default instance password complexity policy. */
export const DEFAULT_COMPLEXITY: PasswordComplexity = { minLength: 8, hasUppercase: true, hasLowercase: true, hasNumber: true, hasSymbol: true };

/** The double's own hasher. ZITADEL's default is bcrypt too (cost 14); a low cost keeps tests fast. */
export const HASHER = 'bcrypt';

export const MAX_HASH_LENGTH = 200;

// Go's bcrypt refuses to hash more than 72 bytes, so a bcrypt-configured ZITADEL cannot hash such a password.
const BCRYPT_MAX_BYTES = 72;

export class PasswordRules {
  /** ZITADEL always accepts its hasher's own format, then the configured verifiers. */
  readonly verifiers: readonly string[];

  constructor(
    private readonly policy: ImportedHashPolicy,
    enabledVerifiers: readonly string[],
    private readonly hasherCost: number,
    private readonly complexity: PasswordComplexity,
    private readonly state: ZitadelState,
  ) {
    this.verifiers = [...new Set([HASHER, ...enabledVerifiers])];
  }

  /**
   * An imported `hashedPassword`, in ZITADEL's order: message validation (1–200 characters), then
   * `EncodingSupported` (no enabled verifier claims it: `Errors.User.Password.NotSupported`), then the
   * import limits (passwap's BoundsError: `Errors.User.Password.Invalid`). ZITADEL answers all of them with
   * InvalidArgument. `notSupportedId` differs between create (USER-JDk4t) and update (USER-oz74onzvqr).
   */
  importHash(hash: string, changeRequired: boolean, notSupportedId = 'USER-JDk4t'): StoredPassword {
    requireText(hash, 'HashedPassword.Hash', MAX_HASH_LENGTH);
    const verdict = this.policy.classify(hash, this.verifiers);
    if (!verdict.ok) {
      this.state.hashRefusals.push({ hash, reason: verdict.reason, message: verdict.message, at: new Date() });
      if (verdict.reason === 'unsupported') throw zitadelError(Code.InvalidArgument, notSupportedId, 'Errors.User.Password.NotSupported');
      if (verdict.reason === 'limits') throw zitadelError(Code.InvalidArgument, 'CRYPT-5uV9n', 'Errors.User.Password.Invalid');
      throw validationError('HashedPassword.Hash', verdict.message);
    }
    return { encoded: hash, verifier: verdict.verifier, imported: true, changeRequired, changedAt: new Date() };
  }

  /** A plain password: complexity policy, then ZITADEL's hasher. */
  async hashNew(password: string, changeRequired: boolean): Promise<StoredPassword> {
    requireText(password, 'Password.Password', MAX_HASH_LENGTH);
    this.checkComplexity(password);
    return { encoded: await this.hash(password), verifier: HASHER, imported: false, changeRequired, changedAt: new Date() };
  }

  checkComplexity(password: string): void {
    const c = this.complexity;
    const fail = (id: string, rule: string) => zitadelError(Code.InvalidArgument, id, `Errors.User.PasswordComplexityPolicy.${rule}`);
    if (c.minLength > 0 && Buffer.byteLength(password) < c.minLength) throw fail('DOMAIN-HuJf6', 'MinLength');
    if (c.hasLowercase && !/\p{Ll}/u.test(password)) throw fail('DOMAIN-co3Xw', 'HasLower');
    if (c.hasUppercase && !/\p{Lu}/u.test(password)) throw fail('DOMAIN-VoaRj', 'HasUpper');
    if (c.hasNumber && !/[0-9]/.test(password)) throw fail('DOMAIN-ZBv4H', 'HasNumber');
    if (c.hasSymbol && !/[^\p{L}0-9]/u.test(password)) throw fail('DOMAIN-ZDLwA', 'HasSymbol');
  }

  /**
   * passwap's Swapper.Verify: a mismatch is `undefined`; a match returns the password to keep, re-hashed
   * by the hasher when it was imported (ZITADEL re-hashes at the first successful login).
   */
  async verify(stored: StoredPassword, password: string): Promise<StoredPassword | undefined> {
    const ok = stored.imported ? await this.policy.verify(password, stored.encoded) : await bcrypt.compare(password, stored.encoded);
    if (!ok) return undefined;
    if (!stored.imported) return stored;
    return { encoded: await this.hash(password), verifier: HASHER, imported: false, changeRequired: stored.changeRequired, changedAt: stored.changedAt };
  }

  private async hash(password: string): Promise<string> {
    // ZITADEL maps the hasher's failure to Internal (convertPasswapErr).
    if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) throw zitadelError(Code.Internal, 'COMMAND-CahN2', 'Errors.Internal');
    return bcrypt.hash(password, this.hasherCost);
  }
}
