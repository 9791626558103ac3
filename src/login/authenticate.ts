import type { Logger } from 'pino';
import type { LegacyDirectory, LegacyUser } from '../legacy/directory.js';
import type { PasswordChecker, VerifiedAs, VerifyResult } from '../passwords/index.js';

export type LoginOutcome =
  | { readonly ok: true; readonly user: LegacyUser; readonly scheme: string; readonly verified: VerifiedAs }
  | { readonly ok: false; readonly reason: 'unknown-user' | 'no-password' | 'wrong-password' | 'disabled' | 'bad-stored-hash' };

/** Error codes of stored-hash problems: the login fails like any other, and the operator is told. */
const STORED_HASH_ERRORS = new Set(['HASH_MALFORMED', 'HASH_OUT_OF_BOUNDS', 'HASH_UNSUPPORTED']);

/**
 * Checks a login name and password against the legacy directory, in two steps so the throttle can count the
 * attempt against the user found before the password is checked. Every failure takes about the same work
 * (an unknown user still costs one verification) and reports only a reason for logs and metrics; the user
 * sees one generic message. Infrastructure errors (directory down, hashing saturated) propagate.
 */
export class Authenticator {
  constructor(
    private readonly directory: LegacyDirectory,
    private readonly passwords: PasswordChecker,
    private readonly logger: Logger,
  ) {}

  /** The legacy user a login name names, if any. */
  find(login: string): Promise<LegacyUser | undefined> {
    return this.directory.findByLogin(login);
  }

  /** Check the password of the user `find` returned (for none, one dummy verification of the same cost). */
  async check(user: LegacyUser | undefined, password: string): Promise<LoginOutcome> {
    if (!user || !user.credential) {
      await this.passwords.verifyDummy(password);
      return { ok: false, reason: user ? 'no-password' : 'unknown-user' };
    }
    let result: VerifyResult;
    try {
      result = await this.passwords.verify(password, user.credential);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!code || !STORED_HASH_ERRORS.has(code)) throw error;
      this.logger.warn({ userId: user.id, code, detail: (error as Error).message }, 'stored password hash cannot be checked');
      return { ok: false, reason: 'bad-stored-hash' };
    }
    if (!result.ok) return { ok: false, reason: 'wrong-password' };
    // Checked after the password, so a disabled account answers like a wrong password in time and words.
    if (user.disabled) return { ok: false, reason: 'disabled' };
    return { ok: true, user, scheme: result.scheme, verified: result.legacyCharset ? { legacyCharset: result.legacyCharset } : {} };
  }
}
