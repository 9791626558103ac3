import { create } from '@bufbuild/protobuf';
import { durationFromMs, timestampFromDate } from '@bufbuild/protobuf/wkt';
import { IDPLoginPolicyLinkSchema, IDPOwnerType, IDPState, IDPType, ProviderSchema, ProviderType, type Options, type Provider } from '@zitadel/proto/zitadel/idp_pb.js';
import { ObjectDetailsSchema, type TextQueryMethod } from '@zitadel/proto/zitadel/object_pb.js';
import { LoginPolicySchema, PasswordlessType, type LoginPolicy } from '@zitadel/proto/zitadel/policy_pb.js';
import type { Core } from './core.js';
import { Code, requireText, zitadelError } from './errors.js';
import { newId } from './ids.js';
import { INSTANCE_POLICY, type StoredIdp } from './state.js';
import { textMatches } from './user-queries.js';

/** Generic OIDC identity providers and login policies, shared by the management (org) and admin (instance) APIs. */

export interface GenericOidcInput {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: readonly string[];
  readonly providerOptions?: Options;
  readonly isIdTokenMapping: boolean;
  readonly usePkce: boolean;
}

/** The query shapes of management.v1 and admin.v1 ProviderQuery are the same. */
export type ProviderFilter =
  | { case: 'idpIdQuery'; value: { id: string } }
  | { case: 'idpNameQuery'; value: { name: string; method: TextQueryMethod } }
  | { case: 'ownerTypeQuery'; value: { ownerType: IDPOwnerType } }
  | { case: undefined; value?: undefined };

function options(input?: Options): StoredIdp['options'] {
  return {
    isLinkingAllowed: input?.isLinkingAllowed ?? false,
    isCreationAllowed: input?.isCreationAllowed ?? false,
    isAutoCreation: input?.isAutoCreation ?? false,
    isAutoUpdate: input?.isAutoUpdate ?? false,
    autoLinking: input?.autoLinking ?? 0,
  };
}

export function addGenericOidc(core: Core, owner: StoredIdp['owner'], orgId: string | undefined, input: GenericOidcInput): StoredIdp {
  requireText(input.name, 'AddGenericOIDCProviderRequest.Name');
  requireText(input.issuer, 'AddGenericOIDCProviderRequest.Issuer');
  requireText(input.clientId, 'AddGenericOIDCProviderRequest.ClientId');
  requireText(input.clientSecret, 'AddGenericOIDCProviderRequest.ClientSecret');
  const now = new Date();
  const idp: StoredIdp = {
    id: newId(),
    owner,
    ...(orgId ? { orgId } : {}),
    createdAt: now,
    changedAt: now,
    sequence: core.state.nextSequence(),
    name: input.name,
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    scopes: [...input.scopes],
    isIdTokenMapping: input.isIdTokenMapping,
    usePkce: input.usePkce,
    options: options(input.providerOptions),
  };
  core.state.idps.set(idp.id, idp);
  return idp;
}

/** An empty client secret leaves the stored one unchanged (ZITADEL's update semantics). */
export function updateGenericOidc(core: Core, idp: StoredIdp | undefined, input: GenericOidcInput): StoredIdp {
  if (!idp) throw zitadelError(Code.NotFound, 'COMMAND-Dj2Kd', 'Errors.IDPConfig.NotExisting');
  requireText(input.name, 'UpdateGenericOIDCProviderRequest.Name');
  requireText(input.issuer, 'UpdateGenericOIDCProviderRequest.Issuer');
  requireText(input.clientId, 'UpdateGenericOIDCProviderRequest.ClientId');
  Object.assign(idp, {
    name: input.name,
    issuer: input.issuer,
    clientId: input.clientId,
    clientSecret: input.clientSecret || idp.clientSecret,
    scopes: [...input.scopes],
    isIdTokenMapping: input.isIdTokenMapping,
    usePkce: input.usePkce,
    options: options(input.providerOptions),
    changedAt: new Date(),
    sequence: core.state.nextSequence(),
  });
  return idp;
}

export function objectDetails(sequence: bigint, changedAt: Date, resourceOwner: string, createdAt = changedAt) {
  return create(ObjectDetailsSchema, { sequence, creationDate: timestampFromDate(createdAt), changeDate: timestampFromDate(changedAt), resourceOwner });
}

export function providerMessage(core: Core, idp: StoredIdp): Provider {
  return create(ProviderSchema, {
    id: idp.id,
    details: objectDetails(idp.sequence, idp.changedAt, idp.orgId ?? core.instanceId, idp.createdAt),
    state: IDPState.IDP_STATE_ACTIVE,
    name: idp.name,
    owner: idp.owner === 'instance' ? IDPOwnerType.IDP_OWNER_TYPE_SYSTEM : IDPOwnerType.IDP_OWNER_TYPE_ORG,
    type: ProviderType.OIDC,
    config: {
      options: idp.options,
      config: { case: 'oidc', value: { issuer: idp.issuer, clientId: idp.clientId, scopes: idp.scopes, isIdTokenMapping: idp.isIdTokenMapping, usePkce: idp.usePkce } },
    },
  });
}

export function filterProviders(idps: readonly StoredIdp[], queries: readonly { query: ProviderFilter }[]): StoredIdp[] {
  return idps.filter((idp) =>
    queries.every(({ query }) => {
      switch (query.case) {
        case 'idpIdQuery':
          return idp.id === query.value.id;
        case 'idpNameQuery':
          return textMatches(idp.name, query.value.name, query.value.method as number);
        case 'ownerTypeQuery':
          return (idp.owner === 'instance' ? IDPOwnerType.IDP_OWNER_TYPE_SYSTEM : IDPOwnerType.IDP_OWNER_TYPE_ORG) === query.value.ownerType;
        case undefined:
          return true;
      }
    }),
  );
}

/** ZITADEL's default instance login policy (cmd/defaults.yaml, DefaultInstance.LoginPolicy). */
export function defaultLoginPolicy(core: Core): LoginPolicy {
  const hours = (h: number) => durationFromMs(h * 3_600_000);
  return create(LoginPolicySchema, {
    details: objectDetails(core.state.nextSequence(), new Date(), core.instanceId),
    allowUsernamePassword: true,
    allowRegister: true,
    allowExternalIdp: true,
    passwordlessType: PasswordlessType.ALLOWED,
    isDefault: true,
    passwordCheckLifetime: hours(240),
    externalLoginCheckLifetime: hours(240),
    mfaInitSkipLifetime: hours(720),
    secondFactorCheckLifetime: hours(18),
    multiFactorCheckLifetime: hours(12),
  });
}

/** The policy an organization uses: its custom one, else the instance's default. */
export function effectiveLoginPolicy(core: Core, orgId: string): LoginPolicy {
  const policy = core.state.loginPolicies.get(orgId) ?? core.state.loginPolicies.get(INSTANCE_POLICY);
  if (!policy) throw zitadelError(Code.Internal, 'QUERY-1M9fs', 'Errors.Internal');
  return policy;
}

/** Adds an IdP to a policy; the IdP must exist with the given owner, and be on the policy only once. */
export function addIdpToPolicy(core: Core, policy: LoginPolicy, idp: StoredIdp | undefined): void {
  if (!idp) throw zitadelError(Code.FailedPrecondition, 'Org-3N9fs', 'Errors.IDPConfig.NotExisting');
  // UNVERIFIED id and code for an IdP already on the policy.
  if (policy.idps.some((link) => link.idpId === idp.id)) throw zitadelError(Code.AlreadyExists, 'Org-2B0ps', 'Errors.Org.LoginPolicy.IdpProviderAlreadyExisting');
  policy.idps.push(create(IDPLoginPolicyLinkSchema, { idpId: idp.id, idpName: idp.name, idpType: IDPType.IDP_TYPE_OIDC }));
  if (policy.details) {
    policy.details.sequence = core.state.nextSequence();
    policy.details.changeDate = timestampFromDate(new Date());
  }
}
