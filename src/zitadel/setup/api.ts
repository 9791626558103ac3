import { create, toJson, type DescMethod, type JsonValue } from '@bufbuild/protobuf';
import { durationFromMs, durationMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { createClientFor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { requireUsablePat } from '../pat.js';
import { createManagementServiceClient } from '@zitadel/client/v1';
import { ActionService } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import type { Condition } from '@zitadel/proto/zitadel/action/v2beta/execution_pb.js';
import { TextFilterMethod } from '@zitadel/proto/zitadel/filter/v2beta/filter_pb.js';
import { AutoLinkingOption, IDPOwnerType, type Options } from '@zitadel/proto/zitadel/idp_pb.js';
import { TextQueryMethod } from '@zitadel/proto/zitadel/object_pb.js';
import type { LoginPolicy } from '@zitadel/proto/zitadel/policy_pb.js';
import type { Secret } from '../../config/secret.js';

/**
 * The few ZITADEL calls `zitadel setup` makes, behind one small interface: organization IdPs and the login
 * policy (management v1, in the `x-zitadel-orgid` organization) and Actions v2 targets and executions
 * (action v2beta). In a dry run every changing call is recorded and answered locally, never sent: one
 * interceptor is the only gate, so no code path can slip a write through.
 */

export type AutoLinking = 'none' | 'username' | 'email';

export interface IdpOptions {
  readonly isLinkingAllowed: boolean;
  readonly isCreationAllowed: boolean;
  readonly isAutoCreation: boolean;
  readonly isAutoUpdate: boolean;
  readonly autoLinking: AutoLinking;
}

/** The generic OIDC IdP as the bridge wants it. */
export interface IdpSettings {
  readonly name: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: Secret;
  readonly scopes: readonly string[];
  readonly isIdTokenMapping: boolean;
  readonly usePkce: boolean;
  readonly options: IdpOptions;
}

/** An IdP as ZITADEL lists it: everything but the client secret, which ZITADEL never returns. */
export interface ExistingIdp {
  readonly id: string;
  readonly name: string;
  readonly owner: 'org' | 'instance';
  /** `oidc` for a generic OIDC IdP; other kinds (`jwt`, `oauth`, …) are not ours to change. */
  readonly kind: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly isIdTokenMapping: boolean;
  readonly usePkce: boolean;
  readonly options: IdpOptions;
}

export interface LoginPolicyView {
  /** The organization has no policy of its own and uses the instance's default. */
  readonly isDefault: boolean;
  readonly idpIds: readonly string[];
  readonly allowExternalIdp: boolean;
  readonly policy: LoginPolicy;
}

export interface TargetSettings {
  readonly name: string;
  readonly endpoint: string;
  readonly timeoutMs: number;
  /** Always a `restCall` target: ZITADEL uses its reply as the new response. */
  readonly interruptOnError: boolean;
}

export interface ExistingTarget {
  readonly id: string;
  readonly name: string;
  readonly endpoint: string;
  readonly type: string;
  readonly interruptOnError: boolean;
  readonly timeoutMs: number;
}

export interface SetupApi {
  /** Organization-owned and instance IdPs the organization sees, with this exact name or id. */
  findIdps(query: { name: string } | { id: string }): Promise<ExistingIdp[]>;
  addIdp(idp: IdpSettings): Promise<string>;
  /** Sends every field, the client secret included. */
  updateIdp(id: string, idp: IdpSettings): Promise<void>;
  loginPolicy(): Promise<LoginPolicyView>;
  /** Gives the organization its own login policy: a copy of `from` with these IdPs. */
  addCustomLoginPolicy(from: LoginPolicy, idps: ReadonlyArray<{ idpId: string; owner: 'org' | 'instance' }>): Promise<void>;
  /** `present` when ZITADEL says the IdP is on the policy already. */
  addIdpToLoginPolicy(idpId: string): Promise<'added' | 'present'>;
  findTarget(name: string): Promise<ExistingTarget | undefined>;
  createTarget(target: TargetSettings): Promise<{ id: string; signingKey: string }>;
  /** Changes the settings given; `rotateSigningKey` asks for a new key (returned). */
  updateTarget(id: string, target: TargetSettings | undefined, rotateSigningKey: boolean): Promise<{ signingKey?: string }>;
  /** The targets of the execution on a method's response, undefined when none is set. */
  responseExecution(method: string): Promise<string[] | undefined>;
  setResponseExecution(method: string, targetIds: readonly string[]): Promise<void>;
}

/** One call as made (or, in a dry run, as it would be made), its body in ZITADEL's JSON with secrets redacted. */
export interface RecordedCall {
  /** gRPC path, e.g. `/zitadel.management.v1.ManagementService/AddGenericOIDCProvider`. */
  readonly method: string;
  readonly changes: boolean;
  /** Whether it was sent to ZITADEL (false: a dry run held it back). */
  readonly sent: boolean;
  readonly body: JsonValue;
}

export interface SetupApiOptions {
  /** ZITADEL's base URL, e.g. https://auth.example.com. */
  readonly url: string;
  readonly pat: Secret;
  readonly organizationId: string;
  readonly timeoutMs: number;
  readonly dryRun: boolean;
  /** Every call, in order, before it is sent (or held back). */
  readonly onCall?: (call: RecordedCall) => void;
}

/** A call to ZITADEL failed; `message` says what to do about it and never holds the token or a secret. */
export class ZitadelSetupError extends Error {
  readonly code = 'ZITADEL_SETUP';
  constructor(
    message: string,
    readonly grpcCode: Code,
  ) {
    super(message);
  }
}

/** The calls that only read; everything else changes something and is held back in a dry run. */
const READ_METHODS = new Set(['ListProviders', 'GetProviderByID', 'GetLoginPolicy', 'ListLoginPolicyIDPs', 'ListTargets', 'GetTarget', 'ListExecutions']);
const SECRET_FIELDS = new Set(['clientSecret', 'signingKey']);
const MANAGEMENT = 'zitadel.management.v1.ManagementService';

/** What a dry run answers in place of an id ZITADEL would assign. */
export const DRY_RUN_ID = '<assigned by ZITADEL>';

export function redact(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_FIELDS.has(key) && inner !== '' ? '[redacted]' : redact(inner)]));
  }
  return value;
}

function gate(options: SetupApiOptions): Interceptor {
  return (next) => async (request) => {
    if (request.service.typeName === MANAGEMENT) request.header.set('x-zitadel-orgid', options.organizationId);
    const changes = !READ_METHODS.has(request.method.name);
    const sent = !(options.dryRun && changes);
    if (!request.stream) {
      const body = redact(toJson(request.method.input, request.message));
      options.onCall?.({ method: `/${request.service.typeName}/${request.method.name}`, changes, sent, body });
    }
    if (sent) return next(request);
    if (request.stream) throw new ConnectError('a dry run holds back streaming calls', Code.FailedPrecondition);
    const method = request.method as DescMethod & { methodKind: 'unary' };
    const output = create(method.output) as Record<string, unknown>;
    if (method.output.fields.some((field) => field.localName === 'id')) output.id = DRY_RUN_ID;
    return { stream: false, service: request.service, method, header: new Headers(), trailer: new Headers(), message: output } as Awaited<ReturnType<typeof next>>;
  };
}

const AUTO_LINKING: Record<AutoLinking, AutoLinkingOption> = {
  none: AutoLinkingOption.UNSPECIFIED,
  username: AutoLinkingOption.USERNAME,
  email: AutoLinkingOption.EMAIL,
};

function autoLinkingName(value: AutoLinkingOption): AutoLinking {
  return value === AutoLinkingOption.USERNAME ? 'username' : value === AutoLinkingOption.EMAIL ? 'email' : 'none';
}

function providerOptions(options: IdpOptions) {
  return { ...options, autoLinking: AUTO_LINKING[options.autoLinking] };
}

function fromOptions(options: Options | undefined): IdpOptions {
  return {
    isLinkingAllowed: options?.isLinkingAllowed ?? false,
    isCreationAllowed: options?.isCreationAllowed ?? false,
    isAutoCreation: options?.isAutoCreation ?? false,
    isAutoUpdate: options?.isAutoUpdate ?? false,
    autoLinking: autoLinkingName(options?.autoLinking ?? AutoLinkingOption.UNSPECIFIED),
  };
}

function idpRequest(idp: IdpSettings) {
  return {
    name: idp.name,
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret.reveal(),
    scopes: [...idp.scopes],
    isIdTokenMapping: idp.isIdTokenMapping,
    usePkce: idp.usePkce,
    providerOptions: providerOptions(idp.options),
  };
}

function responseCondition(method: string) {
  return { conditionType: { case: 'response' as const, value: { condition: { case: 'method' as const, value: method } } } };
}

function isResponseCondition(condition: Condition | undefined, method: string): boolean {
  const c = condition?.conditionType;
  return c?.case === 'response' && c.value.condition.case === 'method' && c.value.condition.value === method;
}

/** A ZITADEL error turned into a message an operator can act on. */
export function describeFailure(error: unknown, what: string, options: Pick<SetupApiOptions, 'url' | 'organizationId'>): ZitadelSetupError {
  const connect = ConnectError.from(error);
  const detail = `${Code[connect.code] ?? connect.code}: ${connect.rawMessage}`;
  let message: string;
  switch (connect.code) {
    case Code.Unauthenticated:
      message =
        `ZITADEL at ${options.url} refused the personal access token while trying to ${what} (${detail}). ` +
        'Check the token given with --pat-file, ZITADEL_PAT or zitadel.pat: it must belong to a service user of this instance and must not have expired.';
      break;
    case Code.PermissionDenied:
      message =
        `The service user may not ${what} (${detail}). It needs the Org Owner role in organization ${options.organizationId} ` +
        '(identity providers, login policy) and, for the Actions v2 hook, the IAM Owner role (targets and executions are instance-wide).';
      break;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.Canceled:
      message = `Cannot reach ZITADEL at ${options.url} to ${what} (${detail}). Check --url and that ZITADEL is running and reachable from here.`;
      break;
    case Code.Unimplemented:
      message = `ZITADEL at ${options.url} does not offer the call to ${what} (${detail}). Is --url the base URL of ZITADEL's API, and is this ZITADEL version recent enough for the call (Actions v2: action.v2beta)?`;
      break;
    case Code.NotFound:
      message = `ZITADEL could not ${what}: not found (${detail}). Does organization ${options.organizationId} exist, and can this service user see it?`;
      break;
    default:
      message = `ZITADEL refused to ${what} (${detail}).`;
  }
  return new ZitadelSetupError(message, connect.code);
}

/** The `SetupApi` of a ZITADEL instance, over gRPC with `@zitadel/client`. */
export function connectSetupApi(options: SetupApiOptions): SetupApi {
  const transport = createServerTransport(requireUsablePat(options.pat.reveal()), {
    baseUrl: options.url.replace(/\/+$/, ''),
    interceptors: [gate(options)],
    defaultTimeoutMs: options.timeoutMs,
  });
  const management = createManagementServiceClient(transport);
  const actions = createClientFor(ActionService)(transport);
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw describeFailure(error, what, options);
    }
  };

  return {
    async findIdps(query) {
      const providerQuery =
        'id' in query
          ? { case: 'idpIdQuery' as const, value: { id: query.id } }
          : { case: 'idpNameQuery' as const, value: { name: query.name, method: TextQueryMethod.EQUALS } };
      const listed = await attempt('list the identity providers', () => management.listProviders({ queries: [{ query: providerQuery }] }));
      return listed.result.map((provider) => {
        const config = provider.config?.config;
        const oidc = config?.case === 'oidc' ? config.value : undefined;
        return {
          id: provider.id,
          name: provider.name,
          owner: provider.owner === IDPOwnerType.IDP_OWNER_TYPE_ORG ? 'org' : 'instance',
          kind: config?.case ?? 'unknown',
          issuer: oidc?.issuer ?? '',
          clientId: oidc?.clientId ?? '',
          scopes: oidc?.scopes ?? [],
          isIdTokenMapping: oidc?.isIdTokenMapping ?? false,
          usePkce: oidc?.usePkce ?? false,
          options: fromOptions(provider.config?.options),
        } satisfies ExistingIdp;
      });
    },

    async addIdp(idp) {
      const created = await attempt('add the generic OIDC identity provider', () => management.addGenericOIDCProvider(idpRequest(idp)));
      return created.id;
    },

    async updateIdp(id, idp) {
      await attempt('update the generic OIDC identity provider', () => management.updateGenericOIDCProvider({ id, ...idpRequest(idp) }));
    },

    async loginPolicy() {
      const answer = await attempt("read the organization's login policy", () => management.getLoginPolicy({}));
      const policy = answer.policy;
      if (!policy) throw new ZitadelSetupError('ZITADEL returned no login policy for the organization.', Code.Internal);
      return { isDefault: answer.isDefault, idpIds: policy.idps.map((link) => link.idpId), allowExternalIdp: policy.allowExternalIdp, policy };
    },

    async addCustomLoginPolicy(from, idps) {
      const { details: _details, isDefault: _isDefault, idps: _idps, $typeName: _type, $unknown: _unknown, ...settings } = from;
      await attempt('give the organization its own login policy', () =>
        management.addCustomLoginPolicy({
          ...settings,
          idps: idps.map((idp) => ({ idpId: idp.idpId, ownerType: idp.owner === 'org' ? IDPOwnerType.IDP_OWNER_TYPE_ORG : IDPOwnerType.IDP_OWNER_TYPE_SYSTEM })),
        }),
      );
    },

    async addIdpToLoginPolicy(idpId) {
      try {
        await management.addIDPToLoginPolicy({ idpId, ownerType: IDPOwnerType.IDP_OWNER_TYPE_ORG });
        return 'added';
      } catch (error) {
        const connect = ConnectError.from(error);
        // UNVERIFIED which code ZITADEL uses for an IdP already on the policy; its key names it either way.
        if (connect.code === Code.AlreadyExists || /AlreadyExist/i.test(connect.rawMessage)) return 'present';
        throw describeFailure(error, "activate the identity provider in the organization's login policy", options);
      }
    },

    async findTarget(name) {
      const listed = await attempt('list the Actions v2 targets', () =>
        actions.listTargets({ filters: [{ filter: { case: 'targetNameFilter', value: { targetName: name, method: TextFilterMethod.EQUALS } } }] }),
      );
      const target = listed.targets.find((t) => t.name === name);
      if (!target) return undefined;
      const type = target.targetType;
      return {
        id: target.id,
        name: target.name,
        endpoint: target.endpoint,
        type: type.case ?? 'unknown',
        interruptOnError: type.case === 'restCall' || type.case === 'restWebhook' ? type.value.interruptOnError : false,
        timeoutMs: target.timeout ? durationMs(target.timeout) : 0,
      };
    },

    async createTarget(target) {
      const created = await attempt('create the Actions v2 target', () =>
        actions.createTarget({
          name: target.name,
          endpoint: target.endpoint,
          timeout: durationFromMs(target.timeoutMs),
          targetType: { case: 'restCall', value: { interruptOnError: target.interruptOnError } },
        }),
      );
      return { id: created.id, signingKey: created.signingKey };
    },

    async updateTarget(id, target, rotateSigningKey) {
      const updated = await attempt(rotateSigningKey ? "rotate the Actions v2 target's signing key" : 'update the Actions v2 target', () =>
        actions.updateTarget({
          id,
          ...(target
            ? {
                name: target.name,
                endpoint: target.endpoint,
                timeout: durationFromMs(target.timeoutMs),
                targetType: { case: 'restCall' as const, value: { interruptOnError: target.interruptOnError } },
              }
            : {}),
          // ZITADEL (v2beta) only allows an immediate rotation: "0s".
          ...(rotateSigningKey ? { expirationSigningKey: durationFromMs(0) } : {}),
        }),
      );
      return updated.signingKey ? { signingKey: updated.signingKey } : {};
    },

    async responseExecution(method) {
      const listed = await attempt('list the Actions v2 executions', () =>
        actions.listExecutions({ filters: [{ filter: { case: 'inConditionsFilter', value: { conditions: [responseCondition(method)] } } }] }),
      );
      return listed.executions.find((execution) => isResponseCondition(execution.condition, method))?.targets;
    },

    async setResponseExecution(method, targetIds) {
      await attempt('set the Actions v2 execution', () => actions.setExecution({ condition: responseCondition(method), targets: [...targetIds] }));
    },
  };
}
