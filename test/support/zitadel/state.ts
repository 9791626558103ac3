import type { Condition } from '@zitadel/proto/zitadel/action/v2beta/execution_pb.js';
import type { LoginPolicy } from '@zitadel/proto/zitadel/policy_pb.js';
import { Code, zitadelError } from './errors.js';

/** Everything the double knows, kept in plain maps and arrays so tests can inspect it. */

export interface StoredOrg {
  readonly id: string;
  readonly name: string;
  readonly domain: string;
}

export interface StoredPassword {
  readonly encoded: string;
  /** The verifier that claimed an imported hash, or `hasher` for one the double hashed itself. */
  readonly verifier: string;
  readonly imported: boolean;
  readonly changeRequired: boolean;
  readonly changedAt: Date;
}

export interface StoredIdpLink {
  readonly idpId: string;
  /** The user's id at the IdP (for our provider: the `sub`). */
  readonly userId: string;
  readonly userName: string;
}

export interface StoredMetadata {
  readonly value: Uint8Array;
  readonly createdAt: Date;
  readonly changedAt: Date;
}

export interface StoredUser {
  readonly id: string;
  readonly orgId: string;
  username: string;
  readonly createdAt: Date;
  changedAt: Date;
  sequence: bigint;
  profile: {
    givenName: string;
    familyName: string;
    nickName: string;
    displayName: string;
    preferredLanguage: string;
    gender: number;
  };
  email: { address: string; verified: boolean };
  phone?: { number: string; verified: boolean };
  password?: StoredPassword;
  idpLinks: StoredIdpLink[];
  metadata: Map<string, StoredMetadata>;
  passwordChecks: { succeeded: number; failed: number };
}

export interface StoredIdp {
  readonly id: string;
  /** Instance-level (admin API) or organization-level (management API). */
  readonly owner: 'instance' | 'org';
  readonly orgId?: string;
  readonly createdAt: Date;
  changedAt: Date;
  sequence: bigint;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string[];
  isIdTokenMapping: boolean;
  usePkce: boolean;
  options: { isLinkingAllowed: boolean; isCreationAllowed: boolean; isAutoCreation: boolean; isAutoUpdate: boolean; autoLinking: number };
}

export type TargetType = 'restWebhook' | 'restCall' | 'restAsync';

export interface StoredTarget {
  readonly id: string;
  readonly createdAt: Date;
  changedAt: Date;
  name: string;
  endpoint: string;
  type: TargetType;
  interruptOnError: boolean;
  timeoutMs: number;
  signingKey: string;
}

export interface StoredExecution {
  readonly condition: Condition;
  readonly createdAt: Date;
  changedAt: Date;
  targets: string[];
}

export interface PasswordResetRecord {
  readonly userId: string;
  readonly medium: 'sendLink' | 'returnCode';
  readonly code: string;
  readonly urlTemplate?: string;
  readonly at: Date;
}

export interface VerificationCodeRecord {
  readonly userId: string;
  readonly kind: 'email' | 'phone';
  readonly address: string;
  /** `send`: ZITADEL would notify the user; `return`: the code went back to the API caller. */
  readonly delivery: 'send' | 'return';
  readonly code: string;
  readonly urlTemplate?: string;
  readonly at: Date;
}

export interface StoredSession {
  readonly id: string;
  readonly token: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly factors: { user?: Date; password?: Date };
}

export interface TargetCallRecord {
  readonly targetId: string;
  readonly endpoint: string;
  readonly fullMethod: string;
  readonly body: string;
  readonly signature: string;
  readonly status?: number;
  readonly reply?: string;
  readonly error?: string;
  readonly at: Date;
}

export interface HashRefusalRecord {
  readonly hash: string;
  readonly reason: 'unsupported' | 'limits' | 'too-long';
  readonly message: string;
  readonly at: Date;
}

export interface ActionV1FetchRecord {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string[]>;
  readonly body?: string;
  readonly status?: number;
  readonly responseBody?: string;
  readonly error?: string;
}

export interface ActionV1Run {
  readonly name: string;
  readonly userId: string;
  readonly ok: boolean;
  /** A failing action with allowedToFail lets the login go on; without it the login fails. */
  readonly allowedToFail: boolean;
  readonly error?: string;
  readonly userGrants: readonly { projectId: string; projectGrantId: string; roles: string[] }[];
  readonly fetches: readonly ActionV1FetchRecord[];
  readonly logs: readonly string[];
}

export const INSTANCE_POLICY = 'instance';

export class ZitadelState {
  readonly orgs = new Map<string, StoredOrg>();
  readonly users = new Map<string, StoredUser>();
  readonly idps = new Map<string, StoredIdp>();
  /** Keyed by organization id, or `instance` for the instance's default policy. */
  readonly loginPolicies = new Map<string, LoginPolicy>();
  readonly targets = new Map<string, StoredTarget>();
  /** Keyed by the condition as `response:method:/zitadel.user.v2.UserService/…` and the like. */
  readonly executions = new Map<string, StoredExecution>();
  readonly sessions = new Map<string, StoredSession>();
  readonly passwordResets: PasswordResetRecord[] = [];
  readonly verificationCodes: VerificationCodeRecord[] = [];
  readonly hashRefusals: HashRefusalRecord[] = [];
  readonly targetCalls: TargetCallRecord[] = [];
  readonly actionV1Runs: ActionV1Run[] = [];
  private sequence = 0n;

  nextSequence(): bigint {
    return ++this.sequence;
  }

  requireOrg(id: string): StoredOrg {
    const org = this.orgs.get(id);
    // UNVERIFIED id: ZITADEL checks the organization exists before creating a user in it.
    if (!org) throw zitadelError(Code.FailedPrecondition, 'COMMAND-3m9sd', 'Errors.Org.NotFound');
    return org;
  }

  orgByDomain(domain: string): StoredOrg | undefined {
    return [...this.orgs.values()].find((org) => org.domain.toLowerCase() === domain.toLowerCase());
  }

  requireUser(id: string): StoredUser {
    const user = this.users.get(id);
    if (!user) throw zitadelError(Code.NotFound, 'COMMAND-M9dsd', 'Errors.User.NotFound');
    return user;
  }

  /** Login names compare case-insensitively, as ZITADEL stores its unique constraints lower-cased. */
  userByLoginName(loginName: string): StoredUser | undefined {
    const wanted = loginName.toLowerCase();
    return [...this.users.values()].find((user) => loginNamesOf(user).some((name) => name.toLowerCase() === wanted));
  }

  usernameOwner(username: string): StoredUser | undefined {
    const wanted = username.toLowerCase();
    return [...this.users.values()].find((user) => user.username.toLowerCase() === wanted);
  }

  linkOwner(idpId: string, externalUserId: string): StoredUser | undefined {
    return [...this.users.values()].find((user) => user.idpLinks.some((link) => link.idpId === idpId && link.userId === externalUserId));
  }

  /** An IdP the organization may use: its own, or one of the instance's. */
  idpVisibleTo(orgId: string, idpId: string): StoredIdp | undefined {
    const idp = this.idps.get(idpId);
    if (!idp) return undefined;
    return idp.owner === 'instance' || idp.orgId === orgId ? idp : undefined;
  }
}

/**
 * Login names under ZITADEL's default domain policy (userLoginMustBeDomain off): the username itself.
 * With the policy on, ZITADEL would add `@<org domain>`; the double does not model that policy.
 */
export function loginNamesOf(user: StoredUser): string[] {
  return [user.username];
}
