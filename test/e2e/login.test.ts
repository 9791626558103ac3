import test from 'ava';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import type pg from 'pg';
import type { Queryable } from '../../src/store/database.js';
import { alertOf, Browser, formOf } from '../support/browser.js';
import { startTestBridge, ZITADEL_URL, type TestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, legacyServerPool, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS, storeBcrypt } from '../support/legacy-users.js';
import { login, startAuthorization, submitLogin, ZITADEL_CALLBACK, zitadelRelyingParty } from '../support/relying-party.js';

const ID_TOKEN_CLIENT_SECRET = 'id-token-client-secret';
let bridge: TestBridge;
let ids: Map<string, string>;
let rp: client.Configuration;
let legacyDb: Queryable;
let legacyPool: pg.Pool | undefined;
let table: string;

test.before(async () => {
  const db = await bridgeDatabaseForE2E();
  legacyPool = legacyServerPool();
  legacyDb = legacyPool ?? db;
  table = uniqueTableName('legacy_users');
  ids = await createLegacyTable(legacyDb, table, [
    ...STANDARD_USERS,
    { username: 'frank', firstName: 'Frank', lastName: 'Fired', password: 'frank-password', store: storeBcrypt },
    { username: 'gina', firstName: 'Gina', lastName: 'Gone', password: 'gina-password', store: storeBcrypt },
  ]);
  bridge = await startTestBridge({
    db,
    // Claims read fresh, so disabling a user between login and code exchange takes effect at once.
    legacy: legacySection(table, { claimsCacheSeconds: 0, ...(process.env.LEGACY_DATABASE_URL ? { url: process.env.LEGACY_DATABASE_URL } : {}) }),
    adjust: (raw) => {
      raw.claims = { givenNameFallback: 'Given', familyNameFallback: 'Family' };
      // A second ZITADEL IdP configured with "Use ID token mapping".
      raw.oidc.clients.push({ clientId: 'zitadel-id-token', clientSecret: ID_TOKEN_CLIENT_SECRET, zitadelUrl: ZITADEL_URL, idTokenClaims: true });
    },
  });
  rp = await zitadelRelyingParty(bridge);
});

test.after.always(async () => {
  await bridge?.close();
  await legacyPool?.end();
  await closeDatabases();
});

test('discovery names the configured issuer byte for byte and what ZITADEL needs', async (t) => {
  const response = await fetch(`${bridge.issuer}/.well-known/openid-configuration`);
  const metadata = (await response.json()) as Record<string, any>;
  t.is(metadata.issuer, bridge.issuer);
  t.true(metadata.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
  t.true(metadata.token_endpoint_auth_methods_supported.includes('client_secret_post'));
  t.true(metadata.id_token_signing_alg_values_supported.includes('RS256'));
  t.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
  t.truthy(metadata.userinfo_endpoint);
  t.truthy(metadata.end_session_endpoint);
  t.truthy(metadata.revocation_endpoint);
  t.truthy(metadata.introspection_endpoint);
});

test('a bcrypt user logs in with PKCE; the ID token is RS256, verifies against jwks_uri and has no nonce', async (t) => {
  const result = await login(rp, bridge, 'alice', 'wonderland', { pkce: true });
  const idToken = result.tokens.id_token!;
  t.is(decodeProtectedHeader(idToken).alg, 'RS256');
  const jwks = createRemoteJWKSet(new URL(rp.serverMetadata().jwks_uri!));
  const { payload } = await jwtVerify(idToken, jwks, { issuer: bridge.issuer, audience: bridge.clientId });
  t.is(payload.sub, ids.get('alice')!);
  t.false('nonce' in payload);
  t.is(result.userinfo.sub, result.idToken.sub);
  t.is(result.userinfo.given_name, 'Alice');
  t.is(result.userinfo.family_name, 'Liddell');
  t.is(result.userinfo.name, 'Alice Liddell');
  t.is(result.userinfo.preferred_username, 'alice');
  t.is(result.userinfo.email, 'alice@example.com');
  t.is(result.userinfo.email_verified, true);
  t.is(result.userinfo.locale, 'en');
  // Without ID-token mapping the profile stays out of the ID token.
  t.false('email' in payload);
});

test('an argon2id user logs in without PKCE, the client authenticating with client_secret_post', async (t) => {
  const postRp = await zitadelRelyingParty(bridge, 'post');
  const result = await login(postRp, bridge, 'bob', 'can-we-fix-it');
  t.is(result.idToken.sub, ids.get('bob')!);
  t.is(result.userinfo.email_verified, false);
});

test('login by email, case-insensitively, with a password whose trailing space matters', async (t) => {
  const result = await login(rp, bridge, 'DAVE@example.COM', 'daisy daisy ');
  t.is(result.idToken.sub, ids.get('dave')!);
  // No first or last name in the row: the display name and the configured fallback fill in.
  t.is(result.userinfo.given_name, 'Dave');
  t.is(result.userinfo.family_name, 'Family');
  const started = await startAuthorization(rp, bridge);
  const { response } = await submitLogin(started, await started.page.text(), 'dave', 'daisy daisy');
  t.is(response.status, 401);
});

test('with ID token mapping the profile claims are in the ID token too', async (t) => {
  const idTokenRp = await client.discovery(new URL(bridge.issuer), 'zitadel-id-token', undefined, client.ClientSecretBasic(ID_TOKEN_CLIENT_SECRET), {
    execute: [client.allowInsecureRequests],
  });
  const { idToken, userinfo } = await login(idTokenRp, bridge, 'alice', 'wonderland');
  t.is(idToken.given_name, 'Alice');
  t.is(idToken.family_name, 'Liddell');
  t.is(idToken.email, 'alice@example.com');
  t.is(idToken.email_verified, true);
  t.is(idToken.preferred_username, 'alice');
  t.is(userinfo.sub, idToken.sub);
  t.is(idToken.aud, 'zitadel-id-token');
});

test('login_hint prefills the username and moves focus to the password', async (t) => {
  const started = await startAuthorization(rp, bridge, { loginHint: 'alice@example.com' });
  const page = await started.page.text();
  t.is(started.page.status, 200);
  t.is(formOf(page, '/login').fields.login, 'alice@example.com');
  t.regex(page, /name="password"[^>]*autofocus/);
  t.regex(page, /<html lang="en">/);
  t.regex(page, /<label for="login">/);
  t.regex(page, /<label for="password">/);
});

test('unknown user, wrong password, disabled user and user without password get the same answer', async (t) => {
  const attempts: Array<[string, string]> = [
    ['nobody', 'wonderland'],
    ['alice', 'Wonderland'],
    ['carol', 'higher-further'],
    ['erin', 'anything'],
  ];
  const answers = [];
  for (const [username, password] of attempts) {
    const started = await startAuthorization(rp, bridge);
    const { response, leftTo } = await submitLogin(started, await started.page.text(), username, password);
    t.is(leftTo, undefined);
    answers.push({ status: response.status, alert: alertOf(await response.text()) });
  }
  t.truthy(answers[0]!.alert);
  for (const answer of answers) t.deepEqual(answer, answers[0]);
  t.is(answers[0]!.status, 401);
});

test('a user disabled in the legacy database between login and code exchange gets no tokens', async (t) => {
  const started = await startAuthorization(rp, bridge);
  const { leftTo } = await submitLogin(started, await started.page.text(), 'frank', 'frank-password');
  t.truthy(leftTo?.searchParams.get('code'));
  await legacyDb.query(`UPDATE ${table} SET active = false WHERE username = 'frank'`);
  const error = await t.throwsAsync(client.authorizationCodeGrant(rp, leftTo!, { expectedState: started.state }));
  t.is((error as client.ResponseBodyError).error, 'invalid_grant');
});

test('cancel returns access_denied with the state to the client', async (t) => {
  const started = await startAuthorization(rp, bridge);
  const page = await started.page.text();
  const abort = formOf(page, '/abort');
  const { leftTo } = await started.browser.follow(await started.browser.post(new URL(abort.action, bridge.issuer), abort.fields));
  t.truthy(leftTo);
  t.is(`${leftTo!.origin}${leftTo!.pathname}`, ZITADEL_CALLBACK);
  t.is(leftTo!.searchParams.get('error'), 'access_denied');
  t.is(leftTo!.searchParams.get('state'), started.state);
});

test('select_account never blocks: with a session the next request returns at once', async (t) => {
  const first = await login(rp, bridge, 'alice', 'wonderland');
  const again = await startAuthorization(rp, bridge, { browser: first.browser });
  t.truthy(again.leftTo, 'expected a redirect straight back to the client');
  t.truthy(again.leftTo!.searchParams.get('code'));
  const tokens = await client.authorizationCodeGrant(rp, again.leftTo!, { expectedState: again.state });
  t.is(tokens.claims()!.sub, ids.get('alice')!);
});

/** Submit the login form; signing in as another user than the session's first ends that session (a form a browser submits at once). */
async function submitLoginEndingSession(started: Awaited<ReturnType<typeof startAuthorization>>, page: string, username: string, password: string) {
  let { leftTo, response } = await submitLogin(started, page, username, password);
  if (!leftTo) {
    const form = formOf(await response.text(), '/session/end/confirm');
    ({ leftTo, response } = await started.browser.follow(await started.browser.post(new URL(form.action), form.fields)));
  }
  return { leftTo, response };
}

test('a login_hint that is not one of the signed-in user\'s own login names asks for a login, whether or not it names anybody', async (t) => {
  const first = await login(rp, bridge, 'alice', 'wonderland');
  // The same person by any of their login names, in any case: single sign-on goes on.
  for (const loginHint of ['Alice@Example.com', 'ALICE']) {
    const same = await startAuthorization(rp, bridge, { browser: first.browser, loginHint });
    t.truthy(same.leftTo?.searchParams.get('code'), `expected a redirect straight back to the client for ${loginHint}`);
  }
  // Someone else, a disabled user, nobody at all: the same answer every time, so it tells nothing about which names exist.
  for (const loginHint of ['bob', 'carol', 'no-such-user']) {
    const other = await startAuthorization(rp, bridge, { browser: first.browser, loginHint });
    t.is(other.leftTo, undefined, loginHint);
    t.is(other.page.status, 200);
    t.is(formOf(await other.page.text(), '/login').fields.login, loginHint);
    // Without interaction the client hears login_required (OpenID Connect Core 3.1.2.6), not interaction_required.
    const silent = await startAuthorization(rp, bridge, { browser: first.browser, loginHint, prompt: 'none' });
    t.is(silent.leftTo?.searchParams.get('error'), 'login_required', loginHint);
  }
  // The one named signs in, replacing the session's user.
  const other = await startAuthorization(rp, bridge, { browser: first.browser, loginHint: 'bob' });
  const { leftTo, response } = await submitLoginEndingSession(other, await other.page.text(), 'bob', 'can-we-fix-it');
  t.truthy(leftTo, `HTTP ${response.status}`);
  const tokens = await client.authorizationCodeGrant(rp, leftTo!, { expectedState: other.state });
  t.is(tokens.claims()!.sub, ids.get('bob')!);
});

test('a session whose user was disabled, then deleted, asks for a login again instead of failing', async (t) => {
  const first = await login(rp, bridge, 'gina', 'gina-password');
  const expectLogin = async (when: string) => {
    const again = await startAuthorization(rp, bridge, { browser: first.browser });
    t.is(again.leftTo, undefined, when);
    t.is(again.page.status, 200, when);
    t.truthy(formOf(await again.page.text(), '/login'), when);
    const silent = await startAuthorization(rp, bridge, { browser: first.browser, prompt: 'none' });
    t.is(silent.leftTo?.searchParams.get('error'), 'login_required', when);
  };
  await legacyDb.query(`UPDATE ${table} SET active = false WHERE username = 'gina'`);
  await expectLogin('disabled');
  await legacyDb.query(`DELETE FROM ${table} WHERE username = 'gina'`);
  await expectLogin('deleted');
  // Someone else can sign in at that browser.
  const next = await startAuthorization(rp, bridge, { browser: first.browser });
  const { leftTo, response } = await submitLoginEndingSession(next, await next.page.text(), 'alice', 'wonderland');
  t.truthy(leftTo?.searchParams.get('code'), `HTTP ${response.status}`);
});

test('the login form is bound to its interaction', async (t) => {
  const started = await startAuthorization(rp, bridge);
  const page = await started.page.text();
  const form = formOf(page, '/login');
  const url = new URL(form.action, bridge.issuer);
  const noToken = await started.browser.post(url, { login: 'alice', password: 'wonderland' });
  t.is(noToken.status, 403);
  const other = await startAuthorization(rp, bridge, { browser: started.browser });
  const otherForm = formOf(await other.page.text(), '/login');
  // The same browser holds both interactions' cookies (each on its own path): the token of the other one is refused.
  const swapped = await started.browser.post(url, { csrf: otherForm.fields.csrf!, login: 'alice', password: 'wonderland' });
  t.is(swapped.status, 403);
  t.regex(await swapped.text(), /This form has expired/);
  // Another browser (no interaction cookie) cannot post it at all.
  const stranger = new Browser(bridge.issuer);
  const foreign = await stranger.post(url, { ...form.fields, login: 'alice', password: 'wonderland' });
  t.is(foreign.status, 400);
});

test('oversized, garbage and malformed form posts get 400 or 413, never 500', async (t) => {
  const started = await startAuthorization(rp, bridge);
  const form = formOf(await started.page.text(), '/login');
  const url = new URL(form.action, bridge.issuer);
  const huge = await started.browser.post(url, { ...form.fields, login: 'alice', password: 'x'.repeat(100_000) });
  t.is(huge.status, 413);
  const json = await started.browser.request(url, { method: 'POST', body: '{"login":"alice"}', headers: { 'content-type': 'application/json' } });
  t.is(json.status, 400);
  const twice = await started.browser.request(url, {
    method: 'POST',
    body: `csrf=${encodeURIComponent(form.fields.csrf!)}&login=alice&login=bob&password=x`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.is(twice.status, 400);
  const binary = await started.browser.request(url, {
    method: 'POST',
    body: new Uint8Array([0xff, 0xfe, 0x00, 0x25, 0x26, 0x3d]),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.true([400, 403].includes(binary.status));
  const empty = await started.browser.post(url, { csrf: form.fields.csrf! });
  t.is(empty.status, 400);
  // The interaction still works afterwards.
  const { leftTo } = await submitLogin(started, await (await started.browser.get(new URL(`/interaction/${url.pathname.split('/')[2]}`, bridge.issuer))).text(), 'alice', 'wonderland');
  t.truthy(leftTo?.searchParams.get('code'));
});

test('an authorization code works once; replaying it revokes the tokens it gave', async (t) => {
  const started = await startAuthorization(rp, bridge);
  const { leftTo } = await submitLogin(started, await started.page.text(), 'alice', 'wonderland');
  const tokens = await client.authorizationCodeGrant(rp, leftTo!, { expectedState: started.state });
  t.true((await client.tokenIntrospection(rp, tokens.access_token)).active);
  await t.throwsAsync(client.authorizationCodeGrant(rp, leftTo!, { expectedState: started.state }));
  t.false((await client.tokenIntrospection(rp, tokens.access_token)).active);
});

test('an authorization code redeemed several times at once is redeemed once; the replay revokes what it gave', async (t) => {
  for (let round = 0; round < 3; round += 1) {
    const started = await startAuthorization(rp, bridge);
    const { leftTo } = await submitLogin(started, await started.page.text(), 'alice', 'wonderland');
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: leftTo!.searchParams.get('code')!, redirect_uri: ZITADEL_CALLBACK });
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(bridge.clientId)}:${encodeURIComponent(bridge.clientSecret)}`).toString('base64')}`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const response = await fetch(`${bridge.issuer}/token`, { method: 'POST', body, headers: { authorization: basic } });
        return { status: response.status, body: (await response.json()) as { access_token?: string; error?: string } };
      }),
    );
    const issued = answers.filter((answer) => answer.status === 200);
    t.is(issued.length, 1, answers.map((answer) => answer.status).join(','));
    t.true(answers.filter((answer) => answer.status !== 200).every((answer) => answer.body.error === 'invalid_grant'));
    // A replay was seen: the token the first redemption got is no good any more.
    t.false((await client.tokenIntrospection(rp, issued[0]!.body.access_token!)).active);
  }
});

test('the client can introspect and revoke its access token', async (t) => {
  const { tokens } = await login(rp, bridge, 'alice', 'wonderland');
  const active = await client.tokenIntrospection(rp, tokens.access_token);
  t.true(active.active);
  t.is(active.sub, ids.get('alice')!);
  t.is(active.client_id, bridge.clientId);
  await client.tokenRevocation(rp, tokens.access_token);
  t.false((await client.tokenIntrospection(rp, tokens.access_token)).active);
  await t.throwsAsync(client.fetchUserInfo(rp, tokens.access_token, ids.get('alice')!));
});

test('a wrong client secret is refused at the token endpoint', async (t) => {
  const started = await startAuthorization(rp, bridge);
  const { leftTo } = await submitLogin(started, await started.page.text(), 'alice', 'wonderland');
  const wrong = await client.discovery(new URL(bridge.issuer), bridge.clientId, undefined, client.ClientSecretBasic('not-the-secret'), {
    execute: [client.allowInsecureRequests],
  });
  const error = (await t.throwsAsync(client.authorizationCodeGrant(wrong, leftTo!, { expectedState: started.state }))) as Error & {
    status?: number;
    error?: string;
    cause?: Array<{ parameters?: { error?: string } }>;
  };
  // A 401 with a WWW-Authenticate challenge (Basic) or a plain error body: either way invalid_client.
  t.is(error.error ?? error.cause?.[0]?.parameters?.error, 'invalid_client');
});

test('RP-initiated logout shows a plain page and ends the session', async (t) => {
  const result = await login(rp, bridge, 'alice', 'wonderland');
  const end = client.buildEndSessionUrl(rp, { id_token_hint: result.tokens.id_token! });
  const page = await result.browser.get(end);
  t.is(page.status, 200);
  const text = await page.text();
  t.regex(text, /Sign out/);
  const form = text.match(/<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"[\s\S]*?<\/form>/);
  t.truthy(form);
  const xsrf = text.match(/name="xsrf" value="([^"]+)"/)?.[1];
  const done = await result.browser.follow(await result.browser.post(new URL(form![1]!, bridge.issuer), { xsrf: xsrf!, logout: 'yes' }));
  t.is(done.response.status, 200);
  t.regex(await done.response.text(), /You are signed out/);
  // The session is gone: a new authorization shows the login page again.
  const again = await startAuthorization(rp, bridge, { browser: result.browser });
  t.is(again.leftTo, undefined);
  t.is(again.page.status, 200);
});

test('"Stay signed in" on the logout page says the session goes on, and it does', async (t) => {
  for (const hint of [true, false]) {
    const result = await login(rp, bridge, 'alice', 'wonderland');
    const end = client.buildEndSessionUrl(rp, hint ? { id_token_hint: result.tokens.id_token! } : {});
    const text = await (await result.browser.get(end)).text();
    const action = text.match(/<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/)?.[1];
    const xsrf = text.match(/name="xsrf" value="([^"]+)"/)?.[1];
    const stayed = await result.browser.follow(await result.browser.post(new URL(action!, bridge.issuer), { xsrf: xsrf! }));
    const page = await stayed.response.text();
    t.regex(page, /still signed in/, `id_token_hint: ${hint}`);
    t.notRegex(page, /You are signed out/);
    const again = await startAuthorization(rp, bridge, { browser: result.browser });
    t.truthy(again.leftTo, 'single sign-on goes on');
  }
});

test('pages carry security headers and never leak a referrer', async (t) => {
  const started = await startAuthorization(rp, bridge);
  t.is(started.page.headers.get('referrer-policy'), 'no-referrer');
  t.is(started.page.headers.get('x-frame-options'), 'DENY');
  t.regex(started.page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
  t.is(started.page.headers.get('cache-control'), 'no-store');
});
