import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { joinUrl } from '../../config/demo.js';
import type { BridgeConfig, ClientConfig } from '../../config/schema.js';
import type { AutoLinking, IdpSettings, TargetSettings } from './api.js';

/**
 * What `zitadel setup` should make ZITADEL hold, worked out from the bridge configuration and the command's
 * options before any call: a mistake here is the operator's to fix (exit 2), not ZITADEL's.
 */

export const DEFAULT_IDP_NAME = 'Legacy login';
export const DEFAULT_TARGET_NAME = 'legacy-bridge-idp-intent';
export const DEFAULT_TARGET_TIMEOUT_SECONDS = 10;
export const MAX_TARGET_TIMEOUT_SECONDS = 60;
export const IDP_SCOPES = ['openid', 'profile', 'email'] as const;
/** The call whose response the bridge's hook completes with the legacy hash. */
export const INTENT_METHOD = '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent';

/** The command's own choices; anything unset comes from the configuration or the defaults. */
export interface SetupRequest {
  readonly url?: string;
  readonly organizationId?: string;
  readonly idpName?: string;
  readonly clientId?: string;
  readonly usePkce?: boolean;
  readonly autoLinking?: AutoLinking;
  readonly hook?: boolean;
  readonly targetName?: string;
  readonly targetTimeoutSeconds?: number;
  readonly signingKeyFile?: string;
  readonly rotateSigningKey?: boolean;
  /** Send the client secret again although nothing ZITADEL shows differs (it never shows the secret). */
  readonly resendClientSecret?: boolean;
}

export interface HookPlan {
  readonly target: TargetSettings;
  readonly method: string;
  readonly signingKeyFile?: string;
  readonly rotateSigningKey: boolean;
  /** Signing keys the bridge configuration holds for the hook today. */
  readonly configuredKeys: number;
}

export interface SetupPlan {
  readonly zitadelUrl: string;
  readonly organizationId: string;
  readonly issuer: string;
  readonly client: ClientConfig;
  readonly idp: IdpSettings;
  /** `zitadel.idpId` of the configuration: found by id when no IdP has the name (renamed in the console). */
  readonly configuredIdpId?: string;
  /** `zitadel.organizationId` of the configuration, to tell whether it needs setting. */
  readonly configuredOrganizationId?: string;
  readonly resendClientSecret: boolean;
  /** Undefined when the hook is off. */
  readonly hook?: HookPlan;
  readonly hookEnabledInConfig: boolean;
}

/** The options and the configuration do not add up; exit 2. */
export class SetupPlanError extends Error {
  readonly code = 'SETUP_PLAN';
}

/** A URL without trailing slashes, so `https://a/` and `https://a` name the same ZITADEL. */
export function sameBaseUrl(a: string, b: string): boolean {
  const normal = (url: string) => {
    try {
      return new URL(url).href.replace(/\/+$/, '');
    } catch {
      return url.replace(/\/+$/, '');
    }
  };
  return normal(a) === normal(b);
}

function httpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SetupPlanError(`${what} is not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SetupPlanError(`${what} must be an http(s) URL: ${value}`);
  return value.replace(/\/+$/, '');
}

function zitadelUrlOf(config: BridgeConfig, request: SetupRequest): string {
  if (request.url) return httpUrl(request.url, '--url');
  if (config.zitadel.url) return httpUrl(config.zitadel.url, 'zitadel.url');
  const fromClients = [...new Set(config.oidc.clients.flatMap((c) => (c.zitadelUrl ? [c.zitadelUrl.replace(/\/+$/, '')] : [])))];
  if (fromClients.length === 1) return httpUrl(fromClients[0]!, 'the client\'s zitadelUrl');
  throw new SetupPlanError("name ZITADEL's URL: --url URL, or zitadel.url in the configuration");
}

/** The bridge client ZITADEL signs in with: named, else the one for this ZITADEL, else the only one. */
function clientFor(config: BridgeConfig, zitadelUrl: string, clientId: string | undefined): ClientConfig {
  const clients = config.oidc.clients;
  if (clientId) {
    const named = clients.find((c) => c.clientId === clientId);
    if (!named) throw new SetupPlanError(`--client-id ${clientId}: the configuration has no such client (it has ${clients.map((c) => c.clientId).join(', ')})`);
    return named;
  }
  const forUrl = clients.filter((c) => c.zitadelUrl && sameBaseUrl(c.zitadelUrl, zitadelUrl));
  if (forUrl.length === 1) return forUrl[0]!;
  if (forUrl.length > 1) throw new SetupPlanError(`several clients have zitadelUrl ${zitadelUrl} (${forUrl.map((c) => c.clientId).join(', ')}): choose one with --client-id`);
  if (clients.length === 1) return clients[0]!;
  throw new SetupPlanError(`no client has zitadelUrl ${zitadelUrl} and there are several (${clients.map((c) => c.clientId).join(', ')}): choose one with --client-id`);
}

/** The signing key file must be writable before the target is created: ZITADEL hands the key out once. */
function checkWritable(file: string): void {
  const path = resolve(file);
  const dir = dirname(path);
  if (!existsSync(dir)) throw new SetupPlanError(`--signing-key-file ${file}: the folder ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) {
      if (!statSync(path).isFile()) throw new SetupPlanError(`--signing-key-file ${file} is not a file`);
      accessSync(path, constants.W_OK);
    }
  } catch (error) {
    if (error instanceof SetupPlanError) throw error;
    throw new SetupPlanError(`--signing-key-file ${file} cannot be written: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function resolveSetupPlan(config: BridgeConfig, request: SetupRequest): SetupPlan {
  const zitadelUrl = zitadelUrlOf(config, request);
  const organizationId = request.organizationId ?? config.zitadel.organizationId;
  if (!organizationId) throw new SetupPlanError('name the organization: --org ID, or zitadel.organizationId in the configuration');
  const client = clientFor(config, zitadelUrl, request.clientId);
  const name = request.idpName ?? DEFAULT_IDP_NAME;
  if (!name.trim() || [...name].length > 200) throw new SetupPlanError('--name must be 1 to 200 characters');

  const hookEnabledInConfig = config.zitadel.hook.enabled;
  let hook: HookPlan | undefined;
  if (hookEnabledInConfig || request.hook) {
    const seconds = request.targetTimeoutSeconds ?? DEFAULT_TARGET_TIMEOUT_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TARGET_TIMEOUT_SECONDS) {
      throw new SetupPlanError(`--target-timeout must be a whole number of seconds from 1 to ${MAX_TARGET_TIMEOUT_SECONDS}`);
    }
    if (request.signingKeyFile) checkWritable(request.signingKeyFile);
    hook = {
      target: {
        name: request.targetName ?? DEFAULT_TARGET_NAME,
        endpoint: joinUrl(config.issuer, config.zitadel.hook.path),
        timeoutMs: seconds * 1000,
        interruptOnError: true,
      },
      method: INTENT_METHOD,
      ...(request.signingKeyFile ? { signingKeyFile: request.signingKeyFile } : {}),
      rotateSigningKey: request.rotateSigningKey ?? false,
      configuredKeys: config.zitadel.hook.signingKeys.length,
    };
  } else if (request.signingKeyFile || request.rotateSigningKey || request.targetName) {
    throw new SetupPlanError('--signing-key-file, --rotate-signing-key and --target-name concern the Actions v2 hook: add --hook (or set zitadel.hook.enabled)');
  }

  return {
    zitadelUrl,
    organizationId,
    issuer: config.issuer,
    client,
    idp: {
      name,
      // Byte for byte: ZITADEL compares it with the discovery document's issuer exactly.
      issuer: config.issuer,
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      scopes: IDP_SCOPES,
      isIdTokenMapping: client.idTokenClaims,
      usePkce: request.usePkce ?? false,
      options: {
        isLinkingAllowed: true,
        isCreationAllowed: true,
        isAutoCreation: true,
        isAutoUpdate: true,
        autoLinking: request.autoLinking ?? 'none',
      },
    },
    ...(config.zitadel.idpId ? { configuredIdpId: config.zitadel.idpId } : {}),
    ...(config.zitadel.organizationId ? { configuredOrganizationId: config.zitadel.organizationId } : {}),
    resendClientSecret: request.resendClientSecret ?? false,
    ...(hook ? { hook } : {}),
    hookEnabledInConfig,
  };
}
