import type { LegacyDirectory, LegacyUser } from '../legacy/directory.js';
import type { HandOff, HandOffPolicy, PasswordChecker, VerifiedAs } from '../passwords/index.js';
import type { Logger } from '../server/logger.js';
import { isNotFound, type ZitadelApi } from '../zitadel/api.js';
import type { Provisioner } from '../zitadel/provision.js';
import { zitadelUsername } from '../zitadel/provision.js';
import type { Ledger, LedgerCounts, LedgerEntry, MigrationMethod, ReleaseOutcome } from './ledger.js';

export interface MigrationDependencies {
  readonly ledger: Ledger;
  readonly handOff: HandOffPolicy;
  readonly passwords: Pick<PasswordChecker, 'identify'>;
  readonly directory: LegacyDirectory;
  readonly logger: Logger;
  /** How long a hand-off hash made at login may wait for ZITADEL. */
  readonly pendingTtlSeconds: number;
  /** Whether any hand-off path is on; when none is, logins are only recorded. */
  readonly prepareHandOff: boolean;
  /** What to do for a user ZITADEL got without a password: a reset link now, or ZITADEL asks at their first password sign-in. */
  readonly withoutHash: 'reset' | 'changeRequired';
  /** Present when ZITADEL's API is configured (provisioning, Actions v1, retry). */
  readonly api?: ZitadelApi;
  /** Present when users are created before the redirect. */
  readonly provisioner?: Provisioner;
}

export interface LoginEvent {
  readonly user: LegacyUser;
  readonly password: string;
  readonly scheme: string;
  readonly verified?: VerifiedAs;
}

export interface RetryReport {
  readonly attempted: number;
  readonly completed: number;
  readonly failed: Array<{ legacyId: string; reason: string }>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Decides and delivers each user's hand-off: at login (prepare the hash; provision when configured), from
 * the hook and the Actions v1 endpoint (release it), and on `migrate retry` (finish what failed). The ledger
 * records every step; ZITADEL calls are idempotent, so repeating any of them never creates a second user.
 */
export class MigrationService {
  constructor(private readonly deps: MigrationDependencies) {}

  /** At a successful login: record it and prepare the hash ZITADEL should get; provision if configured. */
  async onLogin({ user, password, scheme, verified }: LoginEvent): Promise<void> {
    const { ledger, logger } = this.deps;
    let handOff: HandOff = { kind: 'none', hash: null, reason: 'no hand-off path is configured' };
    if (this.deps.prepareHandOff) {
      // Without the password first: native and re-encoded need none and cost nothing. Only a re-hash is
      // expensive, and a confirmed user's would never be collected, so the ledger is read for those alone.
      handOff = await this.#decide(user, scheme, undefined, verified);
      if (handOff.kind === 'none' && !(await ledger.get(user.id))?.confirmed) handOff = await this.#decide(user, scheme, password, verified);
    }
    const entry = await ledger.recordLogin(user.id, handOff, this.deps.pendingTtlSeconds);
    logger.info({ userId: user.id, handoff: handOff.kind, state: entry.state }, 'login recorded for migration');
    if (this.deps.provisioner && !entry.confirmed) await this.#provision(user, handOff.hash ?? undefined);
  }

  /** The hand-off policy's answer; a broken stored hash is a reason for no hand-off, not a failed login. */
  async #decide(user: LegacyUser, scheme: string, password: string | undefined, verified: VerifiedAs | undefined): Promise<HandOff> {
    try {
      return await this.deps.handOff.decide(user.credential!, scheme, password, verified);
    } catch (error) {
      return { kind: 'none', hash: null, reason: describe(error) };
    }
  }

  /** What the ledger knows of a legacy user. */
  entry(legacyId: string): Promise<LedgerEntry | undefined> {
    return this.deps.ledger.get(legacyId);
  }

  /** Erase hand-off hashes nobody collected in time (run periodically). */
  erasePendingExpired(): Promise<number> {
    return this.deps.ledger.erasePendingExpired();
  }

  /** Forget hook tokens that can no longer be presented: older than an access token lives and a login stays fresh. */
  forgetReleasedTokens(seconds: number): Promise<number> {
    return this.deps.ledger.forgetReleasedTokens(seconds);
  }

  /** Ledger counts for `migrate status`. */
  counts(): Promise<LedgerCounts> {
    return this.deps.ledger.counts();
  }

  /**
   * For the post-login hook: the hash to hand over (once per token, while the login here is fresh). Without
   * a hash in `reset` mode the ledger records the reset as due in the same statement; `migrate retry` sends it.
   */
  async releaseForHook(user: LegacyUser, accessToken: string, maxLoginAgeSeconds: number): Promise<ReleaseOutcome> {
    let outcome = await this.deps.ledger.releaseForHook(user.id, accessToken, maxLoginAgeSeconds, this.deps.withoutHash === 'reset');
    if (outcome.released && outcome.unreadable) outcome = await this.#withoutSealedHash(user, outcome.entry);
    if (outcome.released) await this.#flag(user.id, null);
    return outcome;
  }

  /**
   * The sealed hash could not be opened (sealed under a cookie key since removed, or altered in the
   * database): hand over what the stored legacy hash gives without the password, else treat the user as
   * one without a hash (in `reset` mode the reset link is due).
   */
  async #withoutSealedHash(user: LegacyUser, entry: LedgerEntry): Promise<ReleaseOutcome> {
    this.deps.logger.error({ userId: user.id }, 'the pending hand-off hash cannot be opened: was the cookie key that sealed it removed from oidc.cookieKeys?');
    const hash = await this.#storedHandOffHash(user);
    if (hash) return { released: true, hash, entry };
    if (this.deps.withoutHash !== 'reset') return { released: true, hash: undefined, entry };
    return { released: true, hash: undefined, entry: await this.deps.ledger.markResetDue(user.id) };
  }

  /**
   * ZITADEL says it holds this user, linked: a hand-off waiting for that is confirmed. A linked user other
   * than the one noted replaced it (deleted in ZITADEL, created again): `migrate retry` completes it.
   */
  async confirmHandOff(legacyId: string, zitadelUserId: string): Promise<{ confirmed?: LedgerEntry; replaced?: LedgerEntry }> {
    const confirmed = await this.deps.ledger.confirm(legacyId, zitadelUserId);
    if (confirmed) return { confirmed };
    const replaced = await this.deps.ledger.replacedInZitadel(legacyId, zitadelUserId);
    return replaced ? { replaced } : {};
  }

  /**
   * ZITADEL is creating a user it held before (the one noted was deleted): forget that one, and the last
   * login too, so the user's next sign-in through ZITADEL is a password login here, which prepares the hash.
   */
  async goneFromZitadel(legacyId: string, zitadelUserId: string): Promise<LedgerEntry> {
    return this.deps.ledger.forgetZitadelUser(legacyId, 'hook', `ZITADEL is creating the user again: the ZITADEL user ${zitadelUserId} is gone`, { forgetLogin: true });
  }

  /**
   * For an existing ZITADEL user linked to `legacyId` (Actions v1, retry): set the hash, or send a reset.
   * `user`: the legacy row, when the caller has read it already.
   */
  async completeExisting(legacyId: string, zitadelUserId: string, method: MigrationMethod, user?: LegacyUser): Promise<LedgerEntry> {
    const api = this.#api();
    try {
      // A password the user has in ZITADEL (set since, by a reset link or by the user) is never replaced.
      if (!(await api.userFacts(zitadelUserId)).hasPassword) {
        const hash = await this.#handOffHash(legacyId, user);
        if (hash) await api.setPasswordHash(zitadelUserId, hash);
        else if (this.deps.withoutHash === 'reset') await api.sendPasswordReset(zitadelUserId);
      }
    } catch (error) {
      // Deleted in ZITADEL since: forget that id, so the next retry looks the user up (or provisions) afresh.
      if (isNotFound(error)) return this.deps.ledger.forgetZitadelUser(legacyId, method, `the ZITADEL user ${zitadelUserId} no longer exists (${describe(error)})`);
      return this.deps.ledger.markFailed(legacyId, method, describe(error), zitadelUserId);
    }
    const entry = await this.deps.ledger.markMigrated(legacyId, method, zitadelUserId);
    await this.#flag(legacyId, zitadelUserId);
    return entry;
  }

  /** Finish hand-offs left failed or pending: ZITADEL was down, the bridge stopped mid-way, a reset is due. */
  async retry(limit = 1000): Promise<RetryReport> {
    let attempted = 0;
    let completed = 0;
    const failed: Array<{ legacyId: string; reason: string }> = [];
    let after: string | undefined;
    while (attempted < limit) {
      const page = await this.deps.ledger.unfinished(Math.min(limit - attempted, 100), after);
      if (page.length === 0) break;
      for (const entry of page) {
        attempted += 1;
        // One user's trouble (a row gone bad, the legacy database timing out) is that user's failure only.
        const result = await this.#retryOne(entry).catch((error: unknown) => this.deps.ledger.markFailed(entry.legacyId, entry.method ?? 'provision', describe(error)));
        if (result.state === 'migrated') completed += 1;
        else failed.push({ legacyId: entry.legacyId, reason: result.failureReason ?? 'not completed' });
      }
      after = page[page.length - 1]!.legacyId;
    }
    return { attempted, completed, failed };
  }

  async #retryOne(entry: LedgerEntry): Promise<LedgerEntry> {
    const api = this.#api();
    const user = await this.deps.directory.findById(entry.legacyId);
    if (!user) return this.deps.ledger.markFailed(entry.legacyId, entry.method ?? 'provision', 'the legacy user no longer exists');
    // Disabled since the login: ZITADEL gets neither the user nor a password for them.
    if (user.disabled) return this.deps.ledger.markFailed(user.id, entry.method ?? 'provision', 'the legacy user is disabled: enable them and retry, or leave them out');
    let zitadelUserId = entry.zitadelUserId;
    if (!zitadelUserId) {
      // Errors (ZITADEL unreachable) go to the caller: "not found" would be a wrong answer.
      const username = zitadelUsername(user);
      const found = username ? await api.findUserByUsername(username) : undefined;
      if (found && (await api.linkOf(found.userId)) === user.id) zitadelUserId = found.userId;
    }
    if (zitadelUserId) return this.completeExisting(user.id, zitadelUserId, entry.method ?? 'provision', user);
    if (!this.deps.provisioner) return this.deps.ledger.markFailed(user.id, entry.method ?? 'hook', 'not found in ZITADEL, and provisioning is off');
    return this.#provision(user, await this.#handOffHash(user.id, user));
  }

  async #provision(user: LegacyUser, hash: string | undefined): Promise<LedgerEntry> {
    const { ledger, logger, provisioner } = this.deps;
    try {
      const result = await provisioner!.provision(user, hash);
      if (!hash && this.deps.withoutHash === 'reset') await this.#api().sendPasswordReset(result.zitadelUserId);
      const entry = await ledger.markMigrated(user.id, 'provision', result.zitadelUserId);
      logger.info({ userId: user.id, zitadelUserId: result.zitadelUserId, how: result.how, withPassword: Boolean(hash) }, 'user provisioned in ZITADEL');
      await this.#flag(user.id, result.zitadelUserId);
      return entry;
    } catch (error) {
      // The login goes on: ZITADEL can auto-create the user, and the hook or `migrate retry` hands the hash over.
      logger.warn({ userId: user.id, reason: describe(error) }, 'provisioning in ZITADEL failed');
      return ledger.markFailed(user.id, 'provision', describe(error));
    }
  }

  /** The pending hash made at login, else one computed from the stored legacy hash (no password needed). */
  async #handOffHash(legacyId: string, user?: LegacyUser): Promise<string | undefined> {
    const pending = await this.deps.ledger.pendingHash(legacyId);
    return pending ?? this.#storedHandOffHash(user ?? (await this.deps.directory.findById(legacyId)));
  }

  /** Native or re-encoded from the stored legacy hash, if its format allows (no password needed). */
  async #storedHandOffHash(user: LegacyUser | undefined): Promise<string | undefined> {
    const scheme = user?.credential ? this.deps.passwords.identify(user.credential) : undefined;
    if (!user?.credential || !scheme) return undefined;
    return (await this.#decide(user, scheme, undefined, undefined)).hash ?? undefined;
  }

  async #flag(legacyId: string, zitadelUserId: string | null): Promise<void> {
    if (!this.deps.directory.markMigrated) return;
    try {
      await this.deps.directory.markMigrated(legacyId, zitadelUserId);
    } catch (error) {
      this.deps.logger.warn({ userId: legacyId, reason: describe(error) }, 'flagging the legacy user as migrated failed');
    }
  }

  #api(): ZitadelApi {
    if (!this.deps.api) throw new Error('ZITADEL\'s API is not configured (zitadel.url, pat, organizationId, idpId)');
    return this.deps.api;
  }
}
