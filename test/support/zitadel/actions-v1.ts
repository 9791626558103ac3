import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MessageChannel, Worker } from 'node:worker_threads';
import { ACTION_WORKER_SOURCE } from './actions-v1-worker.js';
import type { Core } from './core.js';
import type { ActionV1FetchRecord, ActionV1Run, StoredUser } from './state.js';

/**
 * Actions v1, login v1's "Post Creation" trigger of the External Authentication flow
 * (internal/actions, internal/api/ui/login/custom_action.go): ZITADEL runs the function named like the
 * action with `(ctx, api)`; `ctx.v1.getUser()` is the user just created, `api.v1.appendUserGrant` adds
 * grants, and `require('zitadel/http').fetch` is synchronous.
 */

export interface PostCreationContext {
  readonly userId: string;
  readonly authRequest?: unknown;
  readonly httpRequest?: unknown;
}

export interface ActionV1Options {
  /** The action's name, which is the function ZITADEL calls; the script's first function when absent. */
  readonly name?: string;
  /** The action's timeout; ZITADEL caps it at 20 s. */
  readonly timeoutMs?: number;
  readonly allowedToFail?: boolean;
}

const MAX_TIMEOUT_MS = 20_000;

/** object/user.go humanFromQuery, with goja's lower-camel-case field names. */
function actionUser(user: StoredUser) {
  return {
    id: user.id,
    creationDate: user.createdAt,
    changeDate: user.changedAt,
    resourceOwner: user.orgId,
    sequence: Number(user.sequence),
    state: 1,
    username: user.username,
    loginNames: [user.username],
    preferredLoginName: user.username,
    human: {
      firstName: user.profile.givenName,
      lastName: user.profile.familyName,
      nickName: user.profile.nickName,
      displayName: user.profile.displayName,
      avatarKey: '',
      preferredLanguage: user.profile.preferredLanguage,
      gender: user.profile.gender,
      email: user.email.address,
      isEmailVerified: user.email.verified,
      phone: user.phone?.number ?? '',
      isPhoneVerified: user.phone?.verified ?? false,
    },
  };
}

interface FetchRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string[]>;
  readonly body?: string;
}

/** Go's http.Client: a header with several values goes out as several header lines. Redirects are not followed. */
function perform(request: FetchRequest, timeoutMs: number): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    const url = new URL(request.url);
    const headers: OutgoingHttpHeaders = { ...request.headers };
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent')) headers['User-Agent'] = 'Go-http-client/1.1';
    if (request.body !== undefined) headers['Content-Length'] = Buffer.byteLength(request.body);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, { method: request.method, headers, timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', (error) => resolve({ error: error.message }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error('context deadline exceeded')));
    outgoing.on('error', (error) => resolve({ error: error.message }));
    outgoing.end(request.body);
  });
}

export async function runPostCreationAction(core: Core, script: string, context: PostCreationContext, options: ActionV1Options = {}): Promise<ActionV1Run> {
  const user = core.state.requireUser(context.userId);
  const name = options.name ?? /function\s+([A-Za-z_$][\w$]*)/.exec(script)?.[1];
  if (!name || !/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error('the action needs a function name');
  const timeoutMs = Math.min(options.timeoutMs ?? 10_000, MAX_TIMEOUT_MS);
  const signal = new SharedArrayBuffer(4);
  const flag = new Int32Array(signal);
  const { port1, port2 } = new MessageChannel();
  const fetches: ActionV1FetchRecord[] = [];

  port1.on('message', (request: FetchRequest) => {
    void perform(request, timeoutMs).then((result) => {
      fetches.push({
        url: request.url,
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(result.status !== undefined ? { status: result.status } : {}),
        ...(result.body !== undefined ? { responseBody: result.body } : {}),
        ...(result.error ? { error: result.error } : {}),
      });
      port1.postMessage(result);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
  });

  const worker = new Worker(ACTION_WORKER_SOURCE, {
    eval: true,
    workerData: { script, name, user: actionUser(user), context: { authRequest: context.authRequest ?? null, httpRequest: context.httpRequest ?? null }, port: port2, signal, timeoutMs },
    transferList: [port2],
  });
  type Outcome = { ok: boolean; error?: string; userGrants: ActionV1Run['userGrants']; logs: string[] };
  const outcome = await new Promise<Outcome>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: 'context deadline exceeded', userGrants: [], logs: [] }), timeoutMs + 2000);
    worker.once('message', (message: Outcome) => {
      clearTimeout(timer);
      resolve(message);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, error: error.message, userGrants: [], logs: [] });
    });
  });
  port1.close();
  await worker.terminate();

  const run: ActionV1Run = {
    name,
    userId: user.id,
    ok: outcome.ok,
    allowedToFail: options.allowedToFail ?? false,
    ...(outcome.error ? { error: outcome.error } : {}),
    userGrants: outcome.userGrants,
    fetches,
    logs: outcome.logs,
  };
  core.state.actionV1Runs.push(run);
  return run;
}
