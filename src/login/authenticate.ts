import type { Logger } from 'pino';
import type { LegacyDirectory, LegacyUser } from '../legacy/directory.js';
import type { PasswordChecker, VerifiedAs, VerifyResult } from '../passwords/index.js';
import { FailureFloor } from './failure-floor.js';

export type LoginOutcome =
  | { readonly ok: true; readonly user: LegacyUser; readonly scheme: string; readonly verified: VerifiedAs }
  | { readonly ok: false; readonly reason: 'unknown-user' | 'no-password' | 'wrong-password' | 'disabled' | 'bad-stored-hash' | 'locked' };

/** Error codes of stored-hash problems: the login fails like any other, and the operator is told. */
const STORED_HASH_ERRORS = new Set(['HASH_MALFORMED', 'HASH_OUT_OF_BOUNDS', 'HASH_UNSUPPORTED']);

/**
 * Checks a login name and password against the legacy directory, in two steps so the throttle can count the
 * attempt against the user found before the password is checked. An unknown user still costs one
 * verification, and every failure takes at least as long as that (the `FailureFloor`); a failure reports only
 * a reason for logs and metrics, the user sees one generic message. Successes are never delayed.
 * Infrastructure errors (directory down, hashing saturated) propagate.
 */
export class Authenticator {
  constructor(
    private readonly directory: LegacyDirectory,
    private readonly passwords: PasswordChecker,
    private readonly logger: Logger,
    private readonly floor = new FailureFloor(),
  ) {}

  /** The legacy user a login name names, if any. */
  find(login: string): Promise<LegacyUser | undefined> {
    return this.directory.findByLogin(login);
  }

  /** Check the password of the user `find` returned (for none, one dummy verification of the same cost). */
  async check(user: LegacyUser | undefined, password: string): Promise<LoginOutcome> {
    const started = this.floor.now();
    const outcome = await this.#verify(user, password);
    if (!outcome.ok) await this.#waitOutFloor(started, password);
    return outcome;
  }

  /** Fail without checking the password (its user is locked), taking as long as any other failure. */
  async refuse(password: string): Promise<LoginOutcome> {
    await this.#waitOutFloor(this.floor.now(), password);
    return { ok: false, reason: 'locked' };
  }

  async #verify(user: LegacyUser | undefined, password: string): Promise<LoginOutcome> {
    if (!user || !user.credential) {
      await this.floor.measure(() => this.passwords.verifyDummy(password));
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

  async #waitOutFloor(started: number, password: string): Promise<void> {
    if (!this.floor.measured) {
      // No unknown name has set the floor yet: one dummy verification does, once.
      try {
        await this.floor.measure(() => this.passwords.verifyDummy(password));
      } catch {
        // Hashing saturated: this failure is answered without the floor rather than turned into an error.
      }
    }
    await this.floor.waitOut(started);
  }
}
