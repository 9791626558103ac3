import Router from '@koa/router';
import type { Context } from 'koa';
import Provider, { errors } from 'oidc-provider';
import type { Logger } from 'pino';
import type { LegacyUser } from '../legacy/directory.js';
import type { VerifiedAs } from '../passwords/index.js';
import { interactionPath, INTERACTION_PREFIX } from '../oidc/paths.js';
import type { Authenticator, LoginOutcome } from './authenticate.js';
import type { CsrfTokens } from './csrf.js';
import { FormError, readForm } from './form.js';
import { STYLE_HASH } from './style.js';
import { accountKeys, type LoginThrottle } from './throttle.js';
import { consentPage, loginPage, messagePage, type PageOptions } from './views.js';

/** Told about every successful legacy login, before the user is sent back (migration hooks in here). */
export type LoginListener = (event: {
  readonly user: LegacyUser;
  readonly password: string;
  readonly scheme: string;
  readonly verified: VerifiedAs;
  readonly clientId: string;
}) => Promise<void>;

export interface LoginRoutesDependencies {
  readonly provider: Provider;
  readonly authenticator: Authenticator;
  readonly throttle: LoginThrottle;
  readonly csrf: CsrfTokens;
  readonly logger: Logger;
  readonly page: PageOptions;
  readonly maxFormBytes: number;
  /** Counts outcomes (`success`, a failure reason, `throttled`) for metrics. */
  readonly onOutcome?: (outcome: 'success' | 'throttled' | Extract<LoginOutcome, { ok: false }>['reason']) => void;
  readonly afterLogin?: LoginListener;
}

/** The one message for every failed login: unknown user, wrong password, disabled account alike. */
export const GENERIC_FAILURE = 'The username or password is incorrect.';
export const THROTTLED = 'Too many failed attempts. Please wait a few minutes and try again.';
const MAX_LOGIN_LENGTH = 320;

const PAGE_CSP = `default-src 'none'; style-src ${STYLE_HASH}; frame-ancestors 'none'; base-uri 'none'`;

function send(ctx: Context, status: number, body: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = body;
}

export function loginRoutes(deps: LoginRoutesDependencies): Router {
  const { provider, page } = deps;
  const router = new Router({ prefix: INTERACTION_PREFIX });

  const clientName = async (clientId: unknown): Promise<string> => {
    const client = typeof clientId === 'string' ? await provider.Client.find(clientId) : undefined;
    return (client?.clientName as string | undefined) ?? (typeof clientId === 'string' ? clientId : 'the application');
  };

  const showLogin = async (ctx: Context, status: number, uid: string, params: Record<string, unknown>, login: string, error?: string) => {
    const view = { uid, csrf: deps.csrf.issue(uid), clientName: await clientName(params.client_id), login, ...(error ? { error } : {}) };
    send(ctx, status, loginPage(page, view));
  };

  /**
   * The interaction of this browser (from its cookie), which must be the one in the URL: a form of one
   * interaction never completes another.
   */
  const interaction = async (ctx: Context & { params: { uid?: string } }) => {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.params.uid !== details.uid) throw new errors.SessionNotFound('interaction mismatch');
    return details;
  };

  /** Errors every interaction route answers the same way, as pages. */
  router.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await next();
    } catch (error) {
      if (error instanceof errors.SessionNotFound) {
        send(ctx, 400, messagePage(page, 'Sign-in expired', 'This sign-in request has expired or was started in another browser. Please start again from the application.'));
        return;
      }
      if (error instanceof FormError) {
        send(ctx, error.status, messagePage(page, 'Bad request', `${error.message}.`));
        return;
      }
      const code = (error as { code?: string }).code;
      if (code === 'LEGACY_UNAVAILABLE') {
        deps.logger.error({ err: error }, 'legacy directory unavailable during login');
        ctx.set('Retry-After', '5');
        send(ctx, 503, messagePage(page, 'Temporarily unavailable', 'Signing in is temporarily unavailable. Please try again in a moment.'));
        return;
      }
      if (code === 'PASSWORDS_BUSY') {
        deps.logger.warn('password verification queue full; login refused');
        ctx.set('Retry-After', '1');
        send(ctx, 503, messagePage(page, 'Busy', 'Too many people are signing in right now. Please try again in a moment.'));
        return;
      }
      throw error;
    }
  });

  router.get('/:uid', async (ctx) => {
    const { uid, prompt, params } = await interaction(ctx);
    if (prompt.name === 'consent') {
      const scopes = String(params.scope ?? '').split(' ').filter(Boolean);
      send(ctx, 200, consentPage(page, { uid, csrf: deps.csrf.issue(uid), clientName: await clientName(params.client_id), scopes }));
      return;
    }
    const hint = typeof params.login_hint === 'string' && params.login_hint.length <= MAX_LOGIN_LENGTH ? params.login_hint : '';
    await showLogin(ctx, 200, uid, params, hint);
  });

  router.post('/:uid/login', async (ctx) => {
    const { uid, prompt, params } = await interaction(ctx);
    const form = await readForm(ctx, deps.maxFormBytes);
    if (!deps.csrf.verify(uid, form.get('csrf'))) {
      send(ctx, 403, messagePage(page, 'Sign-in expired', 'This form has expired. Please go back and sign in again.'));
      return;
    }
    if (prompt.name !== 'login') {
      ctx.redirect(interactionPath(uid));
      ctx.status = 303;
      return;
    }
    const login = (form.get('login') ?? '').trim();
    const password = form.get('password') ?? '';
    if (login === '' || password === '' || login.length > MAX_LOGIN_LENGTH) {
      await showLogin(ctx, 400, uid, params, login.slice(0, MAX_LOGIN_LENGTH), 'Enter your username and your password.');
      return;
    }
    const user = await deps.authenticator.find(login);
    const attempt = await deps.throttle.begin(accountKeys(login, user?.id), ctx.ip);
    if (!attempt.allowed) {
      deps.onOutcome?.('throttled');
      ctx.set('Retry-After', String(attempt.retryAfterSeconds));
      await showLogin(ctx, 429, uid, params, login, THROTTLED);
      return;
    }
    let outcome: LoginOutcome;
    try {
      outcome = attempt.locked ? await deps.authenticator.refuse(password) : await deps.authenticator.check(user, password);
    } catch (error) {
      // No verdict (hashing saturated, a database down): the attempt must not count as a failure.
      attempt.abandoned();
      throw error;
    }
    if (!outcome.ok) {
      deps.onOutcome?.(outcome.reason);
      await attempt.failed();
      deps.logger.info({ reason: outcome.reason, client: params.client_id }, 'login failed');
      await showLogin(ctx, 401, uid, params, login, GENERIC_FAILURE);
      return;
    }
    deps.onOutcome?.('success');
    await attempt.succeeded();
    try {
      await deps.afterLogin?.({ user: outcome.user, password, scheme: outcome.scheme, verified: outcome.verified, clientId: String(params.client_id) });
    } catch (error) {
      // The user signed in correctly; migration bookkeeping failing must not turn that into an error page.
      deps.logger.error({ err: error, userId: outcome.user.id }, 'recording the login for migration failed');
    }
    deps.logger.info({ userId: outcome.user.id, scheme: outcome.scheme, client: params.client_id }, 'login succeeded');
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { login: { accountId: outcome.user.id, amr: ['pwd'] }, select_account: {} },
      { mergeWithLastSubmission: false },
    );
  });

  router.post('/:uid/confirm', async (ctx) => {
    const details = await interaction(ctx);
    const form = await readForm(ctx, deps.maxFormBytes);
    if (!deps.csrf.verify(details.uid, form.get('csrf')) || details.prompt.name !== 'consent') {
      send(ctx, 403, messagePage(page, 'Sign-in expired', 'This form has expired. Please go back and sign in again.'));
      return;
    }
    const { params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
    if (!grant) throw new errors.SessionNotFound('grant not found');
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  router.post('/:uid/abort', async (ctx) => {
    const { uid } = await interaction(ctx);
    const form = await readForm(ctx, deps.maxFormBytes);
    if (!deps.csrf.verify(uid, form.get('csrf'))) {
      send(ctx, 403, messagePage(page, 'Sign-in expired', 'This form has expired. Please go back and sign in again.'));
      return;
    }
    await provider.interactionFinished(
      ctx.req,
      ctx.res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
  });

  return router;
}
