import { randomBytes } from 'node:crypto';
import { create, type JsonObject } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  AddHumanUserRequestSchema,
  RetrieveIdentityProviderIntentRequestSchema,
  RetrieveIdentityProviderIntentResponseSchema,
  type AddHumanUserRequest,
  type RetrieveIdentityProviderIntentResponse,
} from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import type { Core } from './core.js';
import { Code, zitadelError } from './errors.js';
import { newId } from './ids.js';
import { executeResponseTargets, type CallerInfo, type ExecutionOptions } from './target-call.js';

/**
 * The ZITADEL side of a brokered login with login v2: the intent's result as RetrieveIdentityProviderIntent
 * returns it (internal/api/grpc/user/v2/intent.go), the response execution (Actions v2), then the user
 * creation login v2 does with `addHumanUser` when the IdP has auto-creation.
 */

export const RETRIEVE_INTENT_METHOD = '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent';

export interface IntentInput {
  readonly idpId: string;
  /** The user's id at the IdP: our `sub`. */
  readonly idpUserId: string;
  readonly idpUserName: string;
  /** The userinfo claims, as ZITADEL stores them for the intent. */
  readonly rawInformation: JsonObject;
  readonly accessToken: string;
  readonly idToken?: string;
  /** The organization login v2 registers the user in; the default organization when absent. */
  readonly orgId?: string;
  /** Overrides the double's option and the IdP's `isAutoCreation`. */
  readonly autoCreation?: boolean;
}

export interface IntentOutcome {
  /** The ZITADEL user the login continues with; empty when none was linked or created. */
  readonly userId: string;
  readonly created: boolean;
  readonly linkedBefore: boolean;
  /** The response after the targets ran, as login v2 received it. */
  readonly response: RetrieveIdentityProviderIntentResponse;
}

export interface IntentOptions extends ExecutionOptions {
  readonly autoCreation?: boolean;
  readonly caller: CallerInfo;
}

const text = (claims: JsonObject, name: string): string => (typeof claims[name] === 'string' ? (claims[name] as string) : '');
// zitadel/oidc's Bool also reads the string "true".
const flag = (claims: JsonObject, name: string): boolean => claims[name] === true || claims[name] === 'true';

/** idpUserToAddHumanUser for a generic OIDC IdP (ZITADEL's oidc.User getters over the userinfo claims). */
export function addHumanUserFromClaims(idpId: string, claims: JsonObject): AddHumanUserRequest {
  const preferredUsername = text(claims, 'preferred_username');
  const phone = text(claims, 'phone_number');
  return create(AddHumanUserRequestSchema, {
    // No username when the IdP sends none: AddHumanUser then takes the email.
    ...(preferredUsername ? { username: preferredUsername } : {}),
    profile: {
      givenName: text(claims, 'given_name'),
      familyName: text(claims, 'family_name'),
      ...(text(claims, 'nickname') ? { nickName: text(claims, 'nickname') } : {}),
      ...(text(claims, 'name') ? { displayName: text(claims, 'name') } : {}),
      // language.Tag.String(): an absent or unparsable locale is "und", which is not empty, so it is always set.
      preferredLanguage: text(claims, 'locale') || 'und',
    },
    email: {
      email: text(claims, 'email'),
      verification: flag(claims, 'email_verified') ? { case: 'isVerified', value: true } : { case: 'sendCode', value: {} },
    },
    ...(phone
      ? { phone: { phone, verification: flag(claims, 'phone_number_verified') ? { case: 'isVerified', value: true } : { case: 'sendCode', value: {} } } }
      : {}),
    metadata: [],
    // The link's user name is the preferred_username claim (GetPreferredUsername), as in ZITADEL.
    idpLinks: [{ idpId, userId: text(claims, 'sub'), userName: preferredUsername }],
  });
}

export async function retrieveIdentityProviderIntent(core: Core, input: IntentInput, options: IntentOptions): Promise<IntentOutcome> {
  const idp = core.state.idps.get(input.idpId);
  if (!idp) throw zitadelError(Code.NotFound, 'COMMAND-39nf2', 'Errors.IDPConfig.NotExisting');
  const orgId = input.orgId ?? core.defaultOrgId;
  const linked = core.state.linkOwner(input.idpId, input.idpUserId);
  const claims: JsonObject = { sub: input.idpUserId, ...input.rawInformation };

  const request = create(RetrieveIdentityProviderIntentRequestSchema, { idpIntentId: newId(), idpIntentToken: randomBytes(24).toString('base64url') });
  const initial = create(RetrieveIdentityProviderIntentResponseSchema, {
    details: { sequence: core.state.nextSequence(), changeDate: timestampFromDate(new Date()), resourceOwner: core.instanceId },
    idpInformation: {
      idpId: input.idpId,
      userId: input.idpUserId,
      userName: input.idpUserName,
      rawInformation: claims,
      access: { case: 'oauth', value: { accessToken: input.accessToken, ...(input.idToken ? { idToken: input.idToken } : {}) } },
    },
    userId: linked?.id ?? '',
    ...(linked ? {} : { addHumanUser: addHumanUserFromClaims(input.idpId, claims) }),
  });

  const response = await executeResponseTargets(
    core,
    RETRIEVE_INTENT_METHOD,
    { schema: RetrieveIdentityProviderIntentRequestSchema, message: request },
    { schema: RetrieveIdentityProviderIntentResponseSchema, message: initial },
    options.caller,
    options,
  );

  if (response.userId) return { userId: response.userId, created: false, linkedBefore: Boolean(linked), response };
  const autoCreation = input.autoCreation ?? options.autoCreation ?? idp.options.isAutoCreation;
  if (!autoCreation || !response.addHumanUser) return { userId: '', created: false, linkedBefore: Boolean(linked), response };

  // Login v2 passes `addHumanUser` on unchanged, adding the organization it registers in.
  const add = response.addHumanUser;
  const org = add.organization?.org;
  const targetOrg = org?.case === 'orgId' ? org.value : org?.case === 'orgDomain' ? (core.state.orgByDomain(org.value)?.id ?? org.value) : orgId;
  const created = await core.users.create({
    orgId: targetOrg,
    userId: add.userId,
    username: add.username,
    profile: add.profile,
    email: add.email,
    phone: add.phone,
    password: add.passwordType,
    idpLinks: add.idpLinks,
    metadata: add.metadata,
  });
  return { userId: created.user.id, created: true, linkedBefore: false, response };
}
