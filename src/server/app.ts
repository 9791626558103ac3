import type { EventEmitter } from 'node:events';
import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import type { BridgeConfig } from '../config/schema.js';
import type { LegacyDirectory } from '../legacy/directory.js';
import { DEMO_USERS } from '../legacy/demo-seed.js';
import { Authenticator } from '../login/authenticate.js';
import { CsrfTokens } from '../login/csrf.js';
import { loginRoutes } from '../login/routes.js';
import type { MigrationService } from '../migration/service.js';
import { LoginThrottle } from '../login/throttle.js';
import type { PrivateJwks } from '../oidc/keys.js';
import { freshLoginRule, type FreshLoginRule } from '../oidc/fresh-login.js';
import { createProvider } from '../oidc/provider.js';
import type { PasswordChecker } from '../passwords/index.js';
import type { Database } from '../store/database.js';
import { actionsV1Routes } from '../zitadel/actions-v1.js';
import { hookRoutes, type HookChecks } from '../zitadel/hook.js';
import { demoClientRoutes } from './demo-client.js';
import { healthRoutes } from './health.js';
import { logRequestError } from './request-errors.js';
import { zitadelApiOf } from './resources.js';
import { pinIssuerOrigin } from './issuer-origin.js';
import { alwaysSecureCookies } from './secure-cookies.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';

/** Everything the app needs that holds a connection or a secret; opened by `openResources`. */
export interface AppResources {
  readonly db: Database;
  readonly directory: LegacyDirectory;
  readonly passwords: PasswordChecker;
  readonly jwks: PrivateJwks;
  readonly logger: Logger;
  readonly migration: MigrationService;
}

export interface BridgeApp {
  /** The Koa app: oidc-provider with the bridge's routes in front of its own. */
  readonly provider: Provider;
  readonly metrics: Metrics;
}

/** Headers every response carries: no sniffing, no framing, and no URL (codes, state) leaking as a referrer. */
function securityHeaders(https: boolean) {
  return async (ctx: Context, next: Next) => {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    if (https) ctx.set('Strict-Transport-Security', 'max-age=31536000');
    await next();
  };
}

/** One line per request: method, path (never the query: it carries codes and state), status, time. */
function requestLog(logger: Logger) {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    const log = (status: number) => logger.debug({ method: ctx.method, path: ctx.path, status, ms: Math.round(performance.now() - started) }, 'request');
    try {
      await next();
      log(ctx.status);
    } catch (error) {
      // Koa answers a thrown error after this middleware: its status, not the 404 ctx holds meanwhile.
      log((error as { status?: number }).status ?? 500);
      throw error;
    }
  };
}

/** Replaceable parts, for measurements: the hook's checks. */
export interface AppOptions {
  readonly hookChecks?: HookChecks;
  /** Provider state in memory instead of the database (never for real use: one process, lost on restart). */
  readonly inMemoryStorage?: boolean;
}

/** With the hook or the Post Creation action on, ZITADEL's clients need a fresh password login to hand over. */
function handOffFreshLogin(config: BridgeConfig, migration: MigrationService): FreshLoginRule | undefined {
  const { hook, actionsV1 } = config.zitadel;
  const zitadelClients = new Set(config.oidc.clients.filter((client) => client.zitadelUrl).map((client) => client.clientId));
  if ((!hook.enabled && !actionsV1.secret) || zitadelClients.size === 0) return undefined;
  return freshLoginRule({ zitadelClients, maxLoginAgeSeconds: hook.maxLoginAgeSeconds, ledgerEntry: (id) => migration.entry(id) });
}

export function createApp(config: BridgeConfig, resources: AppResources, options: AppOptions = {}): BridgeApp {
  const { db, directory, passwords, jwks, logger } = resources;
  const freshLogin = handOffFreshLogin(config, resources.migration);
  const provider = createProvider({ config, db, directory, jwks, ...(options.inMemoryStorage ? { inMemoryStorage: true } : {}), ...(freshLogin ? { freshLogin } : {}) });
  const metrics = createMetrics();
  const page = { title: config.login.title, language: config.login.language };

  provider.on('server_error', (ctx, error) => logRequestError(logger, error, ctx, 'provider error'));
  // Errors of the bridge's own routes (login pages, hooks) reach Koa, whose default prints them raw to stderr.
  // (The provider is a Koa app; its type declares only the provider's own events.)
  (provider as unknown as EventEmitter).on('error', (error: Error & { status?: number; expose?: boolean }, ctx?: Context) => {
    if (error.status === 404 || error.expose) return;
    logRequestError(logger, error, ctx, 'request failed');
  });

  pinIssuerOrigin(provider, config.issuer);
  const https = config.issuer.startsWith('https:');
  if (https) alwaysSecureCookies(provider);
  provider.use(securityHeaders(https));
  provider.use(requestLog(logger));
  const health = healthRoutes(db, directory, metrics);
  provider.use(health.routes());
  const login = loginRoutes({
    provider,
    authenticator: new Authenticator(directory, passwords, logger),
    throttle: new LoginThrottle(db, config.login.throttle, config.database.queryTimeoutMs),
    csrf: new CsrfTokens(config.oidc.cookieKeys.map((key) => key.reveal())),
    logger,
    page,
    maxFormBytes: config.server.maxFormBytes,
    // Failures stay one label: /metrics is public, and a reason per failure would tell which names exist
    // (and whether a disabled account's password was right). The log keeps the reason.
    onOutcome: (outcome) => metrics.logins.inc({ outcome: outcome === 'success' || outcome === 'throttled' ? outcome : 'failure' }),
    afterLogin: (event) => resources.migration.onLogin(event),
  });
  provider.use(login.routes());
  provider.use(login.allowedMethods());
  if (config.zitadel.hook.enabled) {
    const checks = options.hookChecks ? { checks: options.hookChecks } : {};
    provider.use(hookRoutes({ config, provider, migration: resources.migration, directory, logger, ...checks }).routes());
  }
  if (config.zitadel.actionsV1.secret) {
    const api = zitadelApiOf(config);
    if (!api) throw new Error('the Actions v1 endpoint needs zitadel.url, pat, organizationId and idpId');
    provider.use(actionsV1Routes({ config, migration: resources.migration, api, logger }).routes());
  }
  if (config.demo) {
    const demo = demoClientRoutes(config.issuer, config.oidc.clients[0]!, DEMO_USERS, page);
    provider.use(demo.routes());
  }
  return { provider, metrics };
}
