import { create } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { IDPOwnerType } from '@zitadel/proto/zitadel/idp_pb.js';
import { ManagementService } from '@zitadel/proto/zitadel/management_pb.js';
import { LoginPolicySchema } from '@zitadel/proto/zitadel/policy_pb.js';
import { orgOf, type Core } from './core.js';
import { Code, zitadelError } from './errors.js';
import { addGenericOidc, addIdpToPolicy, effectiveLoginPolicy, filterProviders, objectDetails, providerMessage, updateGenericOidc } from './idps.js';
import type { StoredIdp } from './state.js';

/** `zitadel.management.v1.ManagementService`: organization IdPs and login policy, in the `x-zitadel-orgid` org. */
export function managementService(core: Core): Partial<ServiceImpl<typeof ManagementService>> {
  const { state } = core;
  const orgIdps = (orgId: string) => [...state.idps.values()].filter((idp) => idp.owner === 'instance' || idp.orgId === orgId);
  const listDetails = (count: number) => ({ totalResult: BigInt(count) });

  return {
    addGenericOIDCProvider(req, ctx) {
      const idp = addGenericOidc(core, 'org', orgOf(core, ctx), req);
      return { id: idp.id, details: objectDetails(idp.sequence, idp.changedAt, idp.orgId ?? '') };
    },

    updateGenericOIDCProvider(req, ctx) {
      const orgId = orgOf(core, ctx);
      const existing = state.idps.get(req.id);
      const idp = updateGenericOidc(core, existing?.orgId === orgId ? existing : undefined, req);
      return { details: objectDetails(idp.sequence, idp.changedAt, orgId) };
    },

    listProviders(req, ctx) {
      const result = filterProviders(orgIdps(orgOf(core, ctx)), req.queries);
      return { details: listDetails(result.length), result: result.map((idp) => providerMessage(core, idp)) };
    },

    getProviderByID(req, ctx) {
      const idp = state.idpVisibleTo(orgOf(core, ctx), req.id);
      if (!idp) throw zitadelError(Code.NotFound, 'QUERY-SAFrt', 'Errors.IDPConfig.NotExisting');
      return { idp: providerMessage(core, idp) };
    },

    getLoginPolicy(_req, ctx) {
      const orgId = orgOf(core, ctx);
      return { policy: effectiveLoginPolicy(core, orgId), isDefault: !state.loginPolicies.has(orgId) };
    },

    addCustomLoginPolicy(req, ctx) {
      const orgId = orgOf(core, ctx);
      if (state.loginPolicies.has(orgId)) throw zitadelError(Code.AlreadyExists, 'Org-Dgfb2', 'Errors.Org.LoginPolicy.AlreadyExists');
      const { idps, $typeName: _request, $unknown: _unknown, ...settings } = req;
      const policy = create(LoginPolicySchema, { ...settings, isDefault: false, details: objectDetails(state.nextSequence(), new Date(), orgId) });
      for (const link of idps) addIdpToPolicy(core, policy, findOwned(core, orgId, link.idpId, link.ownerType));
      state.loginPolicies.set(orgId, policy);
      return { details: policy.details };
    },

    addIDPToLoginPolicy(req, ctx) {
      const orgId = orgOf(core, ctx);
      // An organization adds IdPs only to its own (custom) login policy.
      const policy = state.loginPolicies.get(orgId);
      if (!policy) throw zitadelError(Code.NotFound, 'Org-Ffgw2', 'Errors.Org.LoginPolicy.NotFound');
      addIdpToPolicy(core, policy, findOwned(core, orgId, req.idpId, req.ownerType));
      return { details: policy.details };
    },

    listLoginPolicyIDPs(_req, ctx) {
      const policy = effectiveLoginPolicy(core, orgOf(core, ctx));
      return { details: listDetails(policy.idps.length), result: policy.idps };
    },
  };
}

/** `ownerType` says where ZITADEL looks the IdP up: the instance (SYSTEM) or the organization. */
function findOwned(core: Core, orgId: string, idpId: string, ownerType: IDPOwnerType): StoredIdp | undefined {
  const idp = core.state.idps.get(idpId);
  if (!idp) return undefined;
  return ownerType === IDPOwnerType.IDP_OWNER_TYPE_SYSTEM ? (idp.owner === 'instance' ? idp : undefined) : idp.orgId === orgId ? idp : undefined;
}
