import { Agent, request } from 'node:http';

/**
 * The load generator: one full browser-less login flow as ZITADEL drives it (authorize with
 * prompt=select_account → login form → code → token with client_secret_basic → userinfo), repeated by
 * `concurrency` loops for `seconds`. node:http with keep-alive and a hand-made cookie jar: the generator
 * shares the machine's cores with the server measured, so it must cost as little as it can.
 */
export interface Target {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly username: string;
  readonly password: string;
}

interface Reply {
  readonly status: number;
  readonly location: string | undefined;
  readonly body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function send(url: URL, jar: Map<string, string> | undefined, method: 'GET' | 'POST', headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  const all: Record<string, string | number> = { ...headers };
  if (jar?.size) all.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  if (body !== undefined) all['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: all }, (res) => {
      for (const line of res.headers['set-cookie'] ?? []) {
        const end = line.indexOf(';');
        const pair = end < 0 ? line : line.slice(0, end);
        const i = pair.indexOf('=');
        jar?.set(pair.slice(0, i), pair.slice(i + 1));
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const form = { 'content-type': 'application/x-www-form-urlencoded' };

export async function oneFlow(target: Target): Promise<void> {
  const jar = new Map<string, string>();
  const authorize = new URL('/auth', target.issuer);
  authorize.search = new URLSearchParams({
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    response_type: 'code',
    scope: 'openid profile email',
    prompt: 'select_account',
    state: Math.random().toString(36).slice(2),
  }).toString();
  let reply = await send(authorize, jar, 'GET');
  if (!reply.location) throw new Error(`authorize said ${reply.status}`);
  reply = await send(new URL(reply.location, target.issuer), jar, 'GET');
  const action = reply.body.match(/action="([^"]*\/login)"/)?.[1];
  const csrf = reply.body.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
  if (!action) throw new Error(`no login form (HTTP ${reply.status})`);
  reply = await send(new URL(action, target.issuer), jar, 'POST', form, new URLSearchParams({ csrf, login: target.username, password: target.password }).toString());
  let location = reply.location;
  if (!location) throw new Error(`login failed (HTTP ${reply.status})`);
  for (let hops = 0; location && !location.startsWith(target.redirectUri); hops += 1) {
    if (hops > 5) throw new Error('too many redirects');
    location = (await send(new URL(location, target.issuer), jar, 'GET')).location;
  }
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error('no code');
  const basic = Buffer.from(`${encodeURIComponent(target.clientId)}:${encodeURIComponent(target.clientSecret)}`).toString('base64');
  const token = await send(new URL('/token', target.issuer), undefined, 'POST', { ...form, authorization: `Basic ${basic}` }, new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: target.redirectUri }).toString());
  const tokens = JSON.parse(token.body) as { access_token?: string };
  if (!tokens.access_token) throw new Error(`token endpoint said ${token.status}`);
  const userinfo = await send(new URL('/me', target.issuer), undefined, 'GET', { authorization: `Bearer ${tokens.access_token}` });
  const claims = JSON.parse(userinfo.body) as { sub?: string };
  if (!claims.sub) throw new Error('no sub in userinfo');
}

/** Completed flows per second over `seconds`, after a short warm-up. */
export async function measureFlows(target: Target, concurrency: number, seconds: number): Promise<{ perSecond: number; errors: number }> {
  for (let i = 0; i < concurrency; i += 1) await oneFlow(target);
  let done = 0;
  let errors = 0;
  let firstError: unknown;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          await oneFlow(target);
          done += 1;
        } catch (error) {
          errors += 1;
          firstError ??= error;
        }
      }
    }),
  );
  if (firstError) console.error('first error:', (firstError as Error).message);
  return { perSecond: done / ((performance.now() - started) / 1000), errors };
}
