import * as client from 'openid-client';
import { Browser, formOf } from './browser.js';
import { ZITADEL_URL, type TestBridge } from './bridge.js';

/** The callback ZITADEL's login v2 registers with an IdP. */
export const ZITADEL_CALLBACK = `${ZITADEL_URL}/idps/callback`;

/** openid-client set up the way ZITADEL's relying party is: discovery, client_secret_basic (or post). */
export async function zitadelRelyingParty(bridge: TestBridge, auth: 'basic' | 'post' = 'basic'): Promise<client.Configuration> {
  const method = auth === 'basic' ? client.ClientSecretBasic(bridge.clientSecret) : client.ClientSecretPost(bridge.clientSecret);
  return client.discovery(new URL(bridge.issuer), bridge.clientId, undefined, method, { execute: [client.allowInsecureRequests] });
}

export interface AuthorizeOptions {
  readonly pkce?: boolean;
  readonly loginHint?: string;
  /** Sent instead of ZITADEL's usual `select_account` (which it leaves out when it sends a login_hint). */
  readonly prompt?: string;
  readonly scope?: string;
  readonly browser?: Browser;
}

export interface StartedAuthorization {
  readonly browser: Browser;
  readonly state: string;
  readonly verifier?: string;
  /** The first response: the login page, or a redirect straight back when a session exists. */
  readonly page: Response;
  readonly leftTo?: URL;
}

/** What ZITADEL sends: prompt=select_account unless it has a login_hint, never a nonce, PKCE if configured. */
export async function startAuthorization(rp: client.Configuration, bridge: TestBridge, options: AuthorizeOptions = {}): Promise<StartedAuthorization> {
  const browser = options.browser ?? new Browser(bridge.issuer);
  const state = client.randomState();
  const parameters: Record<string, string> = {
    redirect_uri: ZITADEL_CALLBACK,
    scope: options.scope ?? 'openid profile email',
    state,
  };
  if (options.loginHint) parameters.login_hint = options.loginHint;
  if (options.prompt) parameters.prompt = options.prompt;
  else if (!options.loginHint) parameters.prompt = 'select_account';
  let verifier: string | undefined;
  if (options.pkce) {
    verifier = client.randomPKCECodeVerifier();
    parameters.code_challenge = await client.calculatePKCECodeChallenge(verifier);
    parameters.code_challenge_method = 'S256';
  }
  const { response, leftTo } = await browser.follow(await browser.get(client.buildAuthorizationUrl(rp, parameters)));
  return { browser, state, ...(verifier ? { verifier } : {}), page: response, ...(leftTo ? { leftTo } : {}) };
}

/** Submit the login form on the page; returns the bridge's answer and where it redirected to, if away. */
export async function submitLogin(started: StartedAuthorization, page: string, login: string, password: string): Promise<{ response: Response; leftTo?: URL }> {
  const form = formOf(page, '/login');
  const response = await started.browser.post(new URL(form.action, started.browser.origin), { ...form.fields, login, password });
  return started.browser.follow(response);
}

export interface CompletedLogin {
  readonly tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  readonly idToken: client.IDToken;
  readonly userinfo: client.UserInfoResponse;
  readonly browser: Browser;
}

/** A full login as ZITADEL drives it: authorize, login form, callback, token, userinfo. */
export async function login(rp: client.Configuration, bridge: TestBridge, username: string, password: string, options: AuthorizeOptions = {}): Promise<CompletedLogin> {
  const started = await startAuthorization(rp, bridge, options);
  let callback = started.leftTo;
  if (!callback) {
    const { leftTo, response } = await submitLogin(started, await started.page.text(), username, password);
    if (!leftTo) throw new Error(`login did not return to the relying party (HTTP ${response.status})`);
    callback = leftTo;
  }
  const tokens = await client.authorizationCodeGrant(rp, callback, {
    expectedState: started.state,
    ...(started.verifier ? { pkceCodeVerifier: started.verifier } : {}),
    idTokenExpected: true,
  });
  const idToken = tokens.claims()!;
  const userinfo = await client.fetchUserInfo(rp, tokens.access_token, idToken.sub);
  return { tokens, idToken, userinfo, browser: started.browser };
}
