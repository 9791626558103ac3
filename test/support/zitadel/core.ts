import type { HandlerContext } from '@connectrpc/connect';
import { Code, zitadelError } from './errors.js';
import type { PasswordRules } from './passwords.js';
import type { ZitadelState } from './state.js';
import type { Users } from './users.js';

/** What every service of the double shares. */
export interface Core {
  readonly state: ZitadelState;
  readonly users: Users;
  readonly passwords: PasswordRules;
  readonly instanceId: string;
  readonly defaultOrgId: string;
}

/**
 * The organization a call acts in: the request's own (v2 `organization`), else the `x-zitadel-orgid`
 * header, else the organization of the PAT's service user (the double's default organization).
 */
export function orgOf(core: Core, ctx: HandlerContext, explicit?: string): string {
  if (explicit) return explicit;
  const orgId = ctx.requestHeader.get('x-zitadel-orgid') || core.defaultOrgId;
  // UNVERIFIED: ZITADEL's exact refusal of an organization the caller cannot act in.
  if (!core.state.orgs.has(orgId)) throw zitadelError(Code.NotFound, 'AUTH-Bs7Ds', 'Errors.Org.NotFound');
  return orgId;
}
