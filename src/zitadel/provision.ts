import type { BridgeConfig } from '../config/schema.js';
import type { LegacyUser } from '../legacy/directory.js';
import { userClaims } from '../oidc/claims.js';
import { isAlreadyExists, type NewUser, type ZitadelApi, type ZitadelUserFacts } from './api.js';

export interface ProvisionOptions {
  readonly usernameTaken: 'link' | 'refuse';
  readonly legacyIdMetadataKey: string;
  readonly fallbacks: BridgeConfig['claims'];
}

export interface Provisioned {
  readonly zitadelUserId: string;
  /** `created`: new in ZITADEL; `completed`: it existed with our link (an earlier attempt); `linked`: an existing user got the link. */
  readonly how: 'created' | 'completed' | 'linked';
}

/** ZITADEL already has someone with this username, without the link to this legacy user. */
export class UsernameTakenError extends Error {
  readonly code = 'USERNAME_TAKEN';
}

/** The username ZITADEL would give the user on auto-creation: preferred_username, else the email. */
export function zitadelUsername(user: LegacyUser): string | undefined {
  return user.profile.preferredUsername ?? user.profile.email;
}

function sameVerifiedEmail(facts: ZitadelUserFacts, user: LegacyUser): boolean {
  const legacy = user.profile.email;
  return Boolean(legacy && user.profile.emailVerified && facts.emailVerified && facts.email && facts.email.toLowerCase() === legacy.toLowerCase());
}

/**
 * Creates the legacy user in ZITADEL with the hand-off hash and the link to the bridge's IdP, so ZITADEL's
 * callback finds the user. Idempotent: a user created by an earlier attempt (the bridge stopped before
 * noting it) is recognised by its link and completed, never created twice.
 */
export class Provisioner {
  constructor(
    private readonly api: ZitadelApi,
    private readonly options: ProvisionOptions,
  ) {}

  newUser(user: LegacyUser, hash: string | undefined): NewUser {
    const claims = userClaims(user, this.options.fallbacks);
    const username = zitadelUsername(user);
    if (!username || !user.profile.email) throw new Error('the legacy user has no email address; ZITADEL needs one');
    return {
      legacyId: user.id,
      username,
      givenName: String(claims.given_name),
      familyName: String(claims.family_name),
      displayName: typeof claims.name === 'string' ? claims.name : undefined,
      preferredLanguage: user.profile.locale,
      email: user.profile.email,
      emailVerified: user.profile.emailVerified ?? false,
      phone: user.profile.phoneNumber,
      phoneVerified: user.profile.phoneNumberVerified ?? false,
      nickName: user.profile.nickname,
      hash,
      metadata: [{ key: this.options.legacyIdMetadataKey, value: user.id }],
    };
  }

  async provision(user: LegacyUser, hash: string | undefined): Promise<Provisioned> {
    const wanted = this.newUser(user, hash);
    let refusal: string;
    try {
      return { zitadelUserId: await this.api.createUser(wanted), how: 'created' };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      refusal = (error as Error).message;
    }
    const existing = await this.api.findUserByUsername(wanted.username);
    if (!existing) {
      // Not the username, then: most likely the link, held by a ZITADEL user whose username has changed since.
      throw new UsernameTakenError(
        `ZITADEL refused to create ${wanted.username} (${refusal}), and has no user by that name in the organization: ` +
          `a ZITADEL user may already be linked to legacy id ${user.id} under another username (or the name is taken in another organization)`,
      );
    }
    const linked = await this.api.linkOf(existing.userId);
    if (linked === user.id) {
      // An earlier attempt created it; a password the user has set since is kept.
      if (hash && !(await this.api.userFacts(existing.userId)).hasPassword) await this.api.setPasswordHash(existing.userId, hash);
      return { zitadelUserId: existing.userId, how: 'completed' };
    }
    // Already another legacy user's (e.g. 'alice' and 'Alice', distinct in a case-sensitive legacy table):
    // linking would let this one sign in to that account and replace its password.
    if (linked !== undefined) {
      throw new UsernameTakenError(`the username ${wanted.username} belongs to a ZITADEL user migrated from another legacy user`);
    }
    if (this.options.usernameTaken === 'refuse') {
      throw new UsernameTakenError(`the username ${wanted.username} belongs to another ZITADEL user (not linked to this legacy user)`);
    }
    // A namesake is the same person only if both sides verified the same email: otherwise linking would hand
    // the legacy user someone else's ZITADEL account, and that account's password.
    const facts = await this.api.userFacts(existing.userId);
    if (!sameVerifiedEmail(facts, user)) {
      throw new UsernameTakenError(
        `the username ${wanted.username} belongs to a ZITADEL user without the same verified email as this legacy user: not linked (link it by hand if it is the same person)`,
      );
    }
    await this.api.addLink(existing.userId, user.id, wanted.username);
    if (hash) await this.api.setPasswordHash(existing.userId, hash);
    return { zitadelUserId: existing.userId, how: 'linked' };
  }
}
