/**
 * The load generator: one full browser-less login flow as ZITADEL drives it (authorize with
 * prompt=select_account → login form → code → token with client_secret_basic → userinfo), repeated by
 * `concurrency` loops for `seconds`. Plain fetch, no client library, so the generator stays cheap.
 */
export interface Target {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly username: string;
  readonly password: string;
}

function cookiesOf(response: Response, jar: Map<string, string>): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const i = pair!.indexOf('=');
    jar.set(pair!.slice(0, i), pair!.slice(i + 1));
  }
}

async function step(url: string, jar: Map<string, string>, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  cookiesOf(response, jar);
  return response;
}

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
  let response = await step(authorize.href, jar);
  const interaction = new URL(response.headers.get('location')!, target.issuer).href;
  await response.arrayBuffer();
  response = await step(interaction, jar);
  const page = await response.text();
  const action = page.match(/action="([^"]*\/login)"/)?.[1];
  const csrf = page.match(/name="csrf" value="([^"]*)"/)?.[1] ?? '';
  if (!action) throw new Error(`no login form (HTTP ${response.status})`);
  response = await step(new URL(action, target.issuer).href, jar, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf, login: target.username, password: target.password }),
  });
  await response.arrayBuffer();
  let location = response.headers.get('location');
  if (!location) throw new Error(`login failed (HTTP ${response.status})`);
  for (let hops = 0; location && !location.startsWith(target.redirectUri); hops += 1) {
    if (hops > 5) throw new Error('too many redirects');
    response = await step(new URL(location, target.issuer).href, jar);
    await response.arrayBuffer();
    location = response.headers.get('location');
  }
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error('no code');
  const token = await fetch(new URL('/token', target.issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(target.clientId)}:${encodeURIComponent(target.clientSecret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: target.redirectUri }),
  });
  const tokens = (await token.json()) as { access_token?: string };
  if (!tokens.access_token) throw new Error(`token endpoint said ${token.status}`);
  const userinfo = await fetch(new URL('/me', target.issuer), { headers: { authorization: `Bearer ${tokens.access_token}` } });
  const claims = (await userinfo.json()) as { sub?: string };
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
