import { BlockList, isIP } from 'node:net';
import { fromJson, toJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { ConnectError } from '@connectrpc/connect';
import { responseTargets } from './action-service.js';
import type { Core } from './core.js';
import { Code, zitadelError } from './errors.js';
import { computeSignatureHeader, SIGNATURE_HEADER } from './signing.js';
import type { StoredTarget } from './state.js';

/**
 * How ZITADEL calls Actions v2 targets after a method (internal/execution/execution.go, CallTargets and
 * HandleResponse; the envelope is the gRPC middleware's ContextInfoResponse).
 */

export interface CallerInfo {
  readonly orgId?: string;
  readonly projectId?: string;
  readonly userId?: string;
  /** The forwarded request headers newer ZITADEL versions add as `headers`. */
  readonly headers?: Readonly<Record<string, readonly string[]>>;
}

export interface ExecutionOptions {
  /** Refuse targets on loopback/private addresses, as ZITADEL's default outbound deny list does (v4.15.2+). */
  readonly enforceDenyList: boolean;
}

const DENIED = new BlockList();
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) DENIED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) DENIED.addSubnet(net, prefix, 'ipv6');

function denied(endpoint: string): boolean {
  const host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  // Host names would need a DNS lookup, as ZITADEL does; the double only judges literal addresses.
  const family = isIP(host);
  return family !== 0 && DENIED.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

// zhttp.HTTPStatusCodeToZitadelError, for the 4xx a target may forward.
const FORWARDED: Readonly<Record<number, Code>> = { 400: Code.InvalidArgument, 401: Code.Unauthenticated, 403: Code.PermissionDenied, 404: Code.NotFound, 409: Code.AlreadyExists, 429: Code.ResourceExhausted };

/** A 2xx reply may still carry `{forwardedStatusCode, forwardedErrorMessage}`: the target's own refusal. */
function forwardedError(reply: string): ConnectError | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(reply);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const { forwardedStatusCode = 0, forwardedErrorMessage = '' } = parsed as Record<string, unknown>;
  // Go's json.Unmarshal fails on mistyped fields, and ZITADEL then takes the body as a successful reply.
  if (typeof forwardedStatusCode !== 'number' || typeof forwardedErrorMessage !== 'string') return undefined;
  if (forwardedStatusCode === 0 && forwardedErrorMessage === '') return undefined;
  if (forwardedStatusCode >= 400 && forwardedStatusCode < 500) return zitadelError(FORWARDED[forwardedStatusCode] ?? Code.Unknown, 'EXEC-reUaUZCzCp', forwardedErrorMessage);
  return zitadelError(Code.FailedPrecondition, 'EXEC-bmhNhpcqpF', forwardedErrorMessage);
}

async function post(core: Core, target: StoredTarget, fullMethod: string, body: string, options: ExecutionOptions): Promise<string> {
  if (options.enforceDenyList && denied(target.endpoint)) throw zitadelError(Code.InvalidArgument, 'EXEC-N5lu09', 'Errors.Endpoint.Denied');
  const signature = computeSignatureHeader(body, target.signingKey);
  const record = { targetId: target.id, endpoint: target.endpoint, fullMethod, body, signature, at: new Date() };
  let status: number;
  let reply: string;
  try {
    const response = await fetch(target.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature, 'user-agent': 'Go-http-client/1.1' },
      body,
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    status = response.status;
    reply = await response.text();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    core.state.targetCalls.push({ ...record, error: message });
    // UNVERIFIED code: a transport error is no ZITADEL error, so gRPC reports it as Unknown.
    throw new ConnectError(`target call failed: ${message}`, Code.Unknown);
  }
  core.state.targetCalls.push({ ...record, status, reply });
  if (status < 200 || status > 299) throw zitadelError(Code.FailedPrecondition, 'EXEC-dra6yamk98', 'Errors.Execution.Failed');
  const refusal = forwardedError(reply);
  if (refusal) throw refusal;
  return reply;
}

/**
 * Runs the response execution of `fullMethod`: each target in order gets the envelope with the current
 * response; a restCall's non-empty reply replaces the response, parsed strictly as protojson (unknown
 * fields fail). A failing target stops the call only when `interruptOnError` is set.
 */
export async function executeResponseTargets<Req extends DescMessage, Res extends DescMessage>(
  core: Core,
  fullMethod: string,
  request: { schema: Req; message: MessageShape<Req> },
  response: { schema: Res; message: MessageShape<Res> },
  caller: CallerInfo,
  options: ExecutionOptions,
): Promise<MessageShape<Res>> {
  let current = response.message;
  for (const target of responseTargets(core.state, fullMethod)) {
    const envelope = {
      fullMethod,
      instanceID: core.instanceId,
      ...(caller.orgId ? { orgID: caller.orgId } : {}),
      ...(caller.projectId ? { projectID: caller.projectId } : {}),
      ...(caller.userId ? { userID: caller.userId } : {}),
      request: toJson(request.schema, request.message),
      response: toJson(response.schema, current),
      ...(caller.headers ? { headers: caller.headers } : {}),
    };
    const body = JSON.stringify(envelope);
    if (target.type === 'restAsync') {
      void post(core, target, fullMethod, body, options).catch(() => undefined);
      continue;
    }
    let reply: string;
    try {
      reply = await post(core, target, fullMethod, body, options);
    } catch (error) {
      if (target.interruptOnError) throw error;
      continue;
    }
    if (target.type === 'restWebhook' || reply.length === 0) continue;
    try {
      current = fromJson(response.schema, JSON.parse(reply));
    } catch (error) {
      // UNVERIFIED: Go's protojson error is no ZITADEL error (gRPC Unknown). Without interruptOnError the
      // double keeps the previous response; ZITADEL may keep a partly reset one.
      if (target.interruptOnError) throw new ConnectError(`proto: ${error instanceof Error ? error.message : String(error)}`, Code.Unknown);
    }
  }
  return current;
}
