import type { ServiceImpl } from '@connectrpc/connect';
import { AdminService } from '@zitadel/proto/zitadel/admin_pb.js';
import type { Core } from './core.js';
import { Code, zitadelError } from './errors.js';
import { addGenericOidc, addIdpToPolicy, effectiveLoginPolicy, filterProviders, objectDetails, providerMessage, updateGenericOidc } from './idps.js';
import { INSTANCE_POLICY } from './state.js';

/** `zitadel.admin.v1.AdminService`: instance-level IdPs and the instance's default login policy. */
export function adminService(core: Core): Partial<ServiceImpl<typeof AdminService>> {
  const { state } = core;
  const instanceIdp = (id: string) => {
    const idp = state.idps.get(id);
    return idp?.owner === 'instance' ? idp : undefined;
  };
  const instanceIdps = () => [...state.idps.values()].filter((idp) => idp.owner === 'instance');
  const defaultPolicy = () => effectiveLoginPolicy(core, INSTANCE_POLICY);

  return {
    addGenericOIDCProvider(req) {
      const idp = addGenericOidc(core, 'instance', undefined, req);
      return { id: idp.id, details: objectDetails(idp.sequence, idp.changedAt, core.instanceId) };
    },

    updateGenericOIDCProvider(req) {
      const idp = updateGenericOidc(core, instanceIdp(req.id), req);
      return { details: objectDetails(idp.sequence, idp.changedAt, core.instanceId) };
    },

    listProviders(req) {
      const result = filterProviders(instanceIdps(), req.queries);
      return { details: { totalResult: BigInt(result.length) }, result: result.map((idp) => providerMessage(core, idp)) };
    },

    getProviderByID(req) {
      const idp = instanceIdp(req.id);
      if (!idp) throw zitadelError(Code.NotFound, 'QUERY-SAFrt', 'Errors.IDPConfig.NotExisting');
      return { idp: providerMessage(core, idp) };
    },

    getLoginPolicy() {
      return { policy: defaultPolicy() };
    },

    addIDPToLoginPolicy(req) {
      const policy = defaultPolicy();
      addIdpToPolicy(core, policy, instanceIdp(req.idpId));
      return { details: policy.details };
    },

    listLoginPolicyIDPs() {
      const policy = defaultPolicy();
      return { details: { totalResult: BigInt(policy.idps.length) }, result: policy.idps };
    },
  };
}
