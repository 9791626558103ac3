import { create } from '@bufbuild/protobuf';
import { ActionService } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import { AdminService } from '@zitadel/proto/zitadel/admin_pb.js';
import { OptionsSchema } from '@zitadel/proto/zitadel/idp_pb.js';
import { ManagementService } from '@zitadel/proto/zitadel/management_pb.js';
import { SessionService } from '@zitadel/proto/zitadel/session/v2/session_service_pb.js';
import { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { actionService } from './action-service.js';
import { runPostCreationAction, type ActionV1Options, type PostCreationContext } from './actions-v1.js';
import { adminService } from './admin-service.js';
import type { Core } from './core.js';
import { errorKey } from './errors.js';
import { newId } from './ids.js';
import { addGenericOidc, defaultLoginPolicy, type GenericOidcInput } from './idps.js';
import { retrieveIdentityProviderIntent, type IntentInput, type IntentOutcome } from './idp-intent.js';
import { managementService } from './management-service.js';
import { DEFAULT_COMPLEXITY, PasswordRules, type ImportedHashPolicy, type PasswordComplexity } from './passwords.js';
import { serve } from './server.js';
import { checkUserPassword, findUser, sessionService } from './session-service.js';
import { badlySignedRequest, signedRequest, verifySignatureHeader, type SignatureFlaw, type SignatureVerdict, type SignedRequest } from './signing.js';
import { INSTANCE_POLICY, ZitadelState, type ActionV1Run, type StoredIdp, type StoredOrg } from './state.js';
import { userService } from './user-service.js';
import { Users } from './users.js';

/**
 * An in-process test double of ZITADEL's API, on `@zitadel/proto`'s real message schemas, applying ZITADEL's
 * rules (enabled verifiers, import limits, unique usernames and IdP links, required names). It speaks gRPC
 * over h2c (`@zitadel/client`'s transport), Connect and gRPC-web. See ZITADEL.md for the rules it follows.
 */

export { addHumanUserFromClaims, RETRIEVE_INTENT_METHOD, type IntentInput, type IntentOutcome } from './idp-intent.js';
export { Code, errorKey, zitadelError } from './errors.js';
export { DEFAULT_COMPLEXITY, MAX_HASH_LENGTH, type HashClassification, type ImportedHashPolicy, type PasswordComplexity } from './passwords.js';
export {
  badlySignedRequest,
  computeSignatureHeader,
  DEFAULT_TOLERANCE_SECONDS,
  SIGNATURE_HEADER,
  signedRequest,
  verifySignatureHeader,
  type SignatureFlaw,
  type SignatureVerdict,
  type SignedRequest,
} from './signing.js';
export type { ActionV1Options, PostCreationContext } from './actions-v1.js';
export type { GenericOidcInput } from './idps.js';
export type * from './state.js';
export { ZitadelState } from './state.js';

export interface ZitadelDoubleOptions {
  /** The service user's personal access token every call must bear. */
  readonly pat: string;
  readonly defaultOrgId?: string;
  readonly defaultOrgDomain?: string;
  readonly instanceId?: string;
  /** `SystemDefaults.PasswordHasher.Verifiers`; the hasher's own format (bcrypt) is always accepted. */
  readonly enabledVerifiers?: readonly string[];
  readonly hashPolicy: ImportedHashPolicy;
  /** Login v2 auto-creation after an intent; when unset, the IdP's `isAutoCreation` decides. */
  readonly autoCreation?: boolean;
  /** Cost of the double's bcrypt hasher (ZITADEL's default is 14); 4 keeps tests fast. */
  readonly hasherCost?: number;
  readonly passwordComplexity?: PasswordComplexity;
  /** Refuse Actions v2 targets on loopback/private addresses, as ZITADEL v4.15.2+ does by default. */
  readonly enforceDenyList?: boolean;
  /** Request headers to forward in Actions v2 envelopes (`headers`, newer ZITADEL versions). */
  readonly forwardedHeaders?: Readonly<Record<string, readonly string[]>>;
}

export interface ZitadelDouble {
  /** Base URL for `createServerTransport(pat, { baseUrl })`, `createConnectTransport` or plain fetch. */
  readonly url: string;
  readonly pat: string;
  readonly defaultOrgId: string;
  readonly instanceId: string;
  /** The login client's service user: the caller named in Actions v2 envelopes of the intent. */
  readonly loginClientUserId: string;
  readonly state: ZitadelState;
  /** ZITADEL's password check: false for a wrong password; NotFound / FailedPrecondition (no password) throw. */
  checkPassword(loginNameOrUserId: string, password: string): Promise<boolean>;
  retrieveIdentityProviderIntent(input: IntentInput): Promise<IntentOutcome>;
  runPostCreationAction(script: string, context: PostCreationContext, options?: ActionV1Options): Promise<ActionV1Run>;
  addOrg(org: { name: string; domain?: string; id?: string }): StoredOrg;
  /** A generic OIDC IdP as `zitadel setup` would add it (auto-creation, creation and linking allowed by default). */
  addGenericOidcIdp(input?: Partial<GenericOidcInput> & { owner?: 'instance' | 'org'; orgId?: string }): StoredIdp;
  signingKeyFor(targetId: string): string;
  signedRequest(json: unknown, signingKey: string, at?: Date): SignedRequest;
  badlySignedRequest(json: unknown, signingKey: string, flaw: SignatureFlaw): SignedRequest;
  verifySignature(body: string, header: string | undefined, signingKey: string, toleranceSeconds?: number): SignatureVerdict;
  close(): Promise<void>;
}

export async function startZitadelDouble(options: ZitadelDoubleOptions): Promise<ZitadelDouble> {
  const state = new ZitadelState();
  const defaultOrgId = options.defaultOrgId ?? newId();
  const instanceId = options.instanceId ?? newId();
  const loginClientUserId = newId();
  state.orgs.set(defaultOrgId, { id: defaultOrgId, name: 'ZITADEL', domain: options.defaultOrgDomain ?? 'zitadel.localhost' });
  const passwords = new PasswordRules(options.hashPolicy, options.enabledVerifiers ?? [], options.hasherCost ?? 4, options.passwordComplexity ?? DEFAULT_COMPLEXITY, state);
  const core: Core = { state, passwords, users: new Users(state, passwords), instanceId, defaultOrgId };
  state.loginPolicies.set(INSTANCE_POLICY, defaultLoginPolicy(core));

  const server = await serve((router) => {
    router.service(UserService, userService(core));
    router.service(SessionService, sessionService(core));
    router.service(ManagementService, managementService(core));
    router.service(AdminService, adminService(core));
    router.service(ActionService, actionService(core));
  }, options.pat);

  return {
    url: server.url,
    pat: options.pat,
    defaultOrgId,
    instanceId,
    loginClientUserId,
    state,

    async checkPassword(loginNameOrUserId, password) {
      try {
        await checkUserPassword(core, findUser(core, loginNameOrUserId), password);
        return true;
      } catch (error) {
        if (errorKey(error) === 'Errors.User.Password.Invalid') return false;
        throw error;
      }
    },

    retrieveIdentityProviderIntent: (input) =>
      retrieveIdentityProviderIntent(core, input, {
        ...(options.autoCreation !== undefined ? { autoCreation: options.autoCreation } : {}),
        enforceDenyList: options.enforceDenyList ?? false,
        caller: { orgId: defaultOrgId, userId: loginClientUserId, ...(options.forwardedHeaders ? { headers: options.forwardedHeaders } : {}) },
      }),

    runPostCreationAction: (script, context, actionOptions) => runPostCreationAction(core, script, context, actionOptions),

    addOrg({ name, domain, id }) {
      const org = { id: id ?? newId(), name, domain: domain ?? `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.localhost` };
      state.orgs.set(org.id, org);
      return org;
    },

    addGenericOidcIdp(input = {}) {
      const owner = input.owner ?? 'instance';
      return addGenericOidc(core, owner, owner === 'org' ? (input.orgId ?? defaultOrgId) : undefined, {
        name: input.name ?? 'legacy bridge',
        issuer: input.issuer ?? 'https://bridge.test',
        clientId: input.clientId ?? 'zitadel',
        clientSecret: input.clientSecret ?? 'secret',
        scopes: input.scopes ?? ['openid', 'profile', 'email'],
        isIdTokenMapping: input.isIdTokenMapping ?? false,
        usePkce: input.usePkce ?? false,
        providerOptions: input.providerOptions ?? create(OptionsSchema, { isLinkingAllowed: true, isCreationAllowed: true, isAutoCreation: true }),
      });
    },

    signingKeyFor(targetId) {
      const target = state.targets.get(targetId);
      if (!target) throw new Error(`no target ${targetId}`);
      return target.signingKey;
    },

    signedRequest,
    badlySignedRequest,
    verifySignature: (body, header, signingKey, toleranceSeconds) => verifySignatureHeader(body, header, signingKey, toleranceSeconds),
    close: () => server.close(),
  };
}
