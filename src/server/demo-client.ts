import Router from '@koa/router';
import type { Context } from 'koa';
import * as client from 'openid-client';
import type { ClientConfig } from '../config/schema.js';
import { DEMO_CALLBACK_PATH, joinUrl } from '../config/demo.js';
import type { DemoUser } from '../legacy/demo-seed.js';
import { html } from '../login/html.js';
import { STYLE_HASH } from '../login/style.js';
import { messagePage, type PageOptions } from '../login/views.js';

const STATE_COOKIE = 'demo_rp';

/**
 * Demo mode only: a tiny relying party at /demo that signs in through the bridge exactly as ZITADEL would
 * (prompt=select_account, no nonce, client_secret_basic, PKCE) and shows what the bridge returned.
 */
export function demoClientRoutes(issuer: string, demoClient: ClientConfig, users: readonly DemoUser[], page: PageOptions): Router {
  const router = new Router();
  const redirectUri = joinUrl(issuer, DEMO_CALLBACK_PATH);
  let discovered: Promise<client.Configuration> | undefined;
  const configuration = () => {
    discovered ??= client
      .discovery(new URL(issuer), demoClient.clientId, undefined, client.ClientSecretBasic(demoClient.clientSecret.reveal()), {
        execute: [client.allowInsecureRequests],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  const send = (ctx: Context, body: string, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', `default-src 'none'; style-src ${STYLE_HASH}; frame-ancestors 'none'`);
    ctx.body = body;
  };

  router.get('/demo', (ctx) => {
    const rows = users.map((u) => html`<tr><td><code>${u.username}</code></td><td><code>${u.password}</code></td><td>${u.note}</td></tr>`);
    send(
      ctx,
      messagePage(
        { ...page, title: 'Demo' },
        'Legacy bridge demo',
        'Sign in with one of the demo users below, as ZITADEL would federate to this bridge.',
        html`<form method="get" action="/demo/start"><button type="submit" class="primary" autofocus>Sign in with the demo client</button></form>
<table><caption class="muted">Demo users</caption><thead><tr><th scope="col">User</th><th scope="col">Password</th><th scope="col">Stored as</th></tr></thead><tbody>${rows}</tbody></table>`,
      ),
    );
  });

  router.get('/demo/start', async (ctx) => {
    const config = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    ctx.cookies.set(STATE_COOKIE, JSON.stringify({ verifier, state }), { signed: true, httpOnly: true, sameSite: 'lax', maxAge: 600_000 });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      prompt: 'select_account',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    ctx.redirect(url.href);
  });

  router.get(DEMO_CALLBACK_PATH, async (ctx) => {
    const saved = ctx.cookies.get(STATE_COOKIE, { signed: true });
    ctx.cookies.set(STATE_COOKIE, null);
    if (!saved) {
      send(ctx, messagePage(page, 'Demo', 'This demo sign-in has expired.', html`<p><a href="/demo">Start again</a></p>`), 400);
      return;
    }
    const { verifier, state } = JSON.parse(saved) as { verifier: string; state: string };
    const config = await configuration();
    try {
      const tokens = await client.authorizationCodeGrant(config, new URL(ctx.href, issuer), { pkceCodeVerifier: verifier, expectedState: state });
      const idToken = tokens.claims();
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken!.sub);
      send(
        ctx,
        messagePage(
          page,
          'Signed in',
          html`The bridge authenticated <strong>${String(userinfo.preferred_username ?? idToken!.sub)}</strong> against the legacy table.`,
          html`<h2>ID token claims</h2><pre>${JSON.stringify(idToken, null, 2)}</pre>
<h2>Userinfo</h2><pre>${JSON.stringify(userinfo, null, 2)}</pre>
<p><a href="${client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: joinUrl(issuer, '/demo') }).href}">Sign out and try another user</a></p>`,
        ),
      );
    } catch (error) {
      const message = error instanceof client.AuthorizationResponseError ? `${error.error}: ${error.error_description ?? ''}` : (error as Error).message;
      send(ctx, messagePage(page, 'Demo sign-in failed', message, html`<p><a href="/demo">Start again</a></p>`), 400);
    }
  });

  return router;
}

