import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { BridgeConfig, ClientConfig } from '../config/schema.js';
import type { LegacyDirectory } from '../legacy/directory.js';
import { Html, html } from '../login/html.js';
import { messagePage } from '../login/views.js';
import { createOidcAdapter } from '../store/oidc-adapter.js';
import type { Database } from '../store/database.js';
import { accountFinder } from './account.js';
import type { FreshLoginRule } from './fresh-login.js';
import { SCOPE_CLAIMS } from './claims.js';
import { clientMetadata } from './clients.js';
import { interactions } from './interactions.js';
import { signingAlgorithmOf, type PrivateJwks } from './keys.js';
import { interactionPath } from './paths.js';

export interface ProviderDependencies {
  readonly config: BridgeConfig;
  readonly db: Database;
  readonly directory: LegacyDirectory;
  readonly jwks: PrivateJwks;
  /** oidc-provider's own in-memory storage instead of the database: only to measure what storage costs. */
  readonly inMemoryStorage?: boolean;
  /** When single sign-on must give way to a password login (a hand-off to ZITADEL needs one). */
  readonly freshLogin?: FreshLoginRule;
}

const SCOPES = Object.keys(SCOPE_CLAIMS);

export function createProvider({ config, db, directory, jwks, inMemoryStorage, freshLogin }: ProviderDependencies): Provider {
  const clients = new Map<string, ClientConfig>(config.oidc.clients.map((client) => [client.clientId, client]));
  // Every key says its algorithm, so the provider signs with exactly the one the clients are told.
  const keys = jwks.keys.map((key) => ({ ...key, alg: signingAlgorithmOf(key) }));
  const signingAlg = keys[0]!.alg;
  const pageOptions = { title: config.login.title, language: config.login.language };

  const configuration: Configuration = {
    ...(inMemoryStorage ? {} : { adapter: createOidcAdapter(db) }),
    clients: config.oidc.clients.map((client) => clientMetadata(client, signingAlg)),
    jwks: { keys: keys as NonNullable<Configuration['jwks']>['keys'] },
    // The algorithms of the published keys (the first signs; older ones still verify their tokens).
    enabledJWA: { idTokenSigningAlgValues: [...new Set(keys.map((key) => key.alg))] as NonNullable<Configuration['enabledJWA']>['idTokenSigningAlgValues'] },
    cookies: {
      keys: config.oidc.cookieKeys.map((key) => key.reveal()),
    },
    scopes: SCOPES,
    claims: SCOPE_CLAIMS as unknown as Configuration['claims'],
    responseTypes: ['code'],
    // Profile claims go into the ID token only for clients configured for ZITADEL's "ID token mapping".
    conformIdTokenClaims: false,
    pkce: {
      // Public clients must use PKCE; confidential ones (ZITADEL) may, and are not forced to.
      required: (_ctx, client) => client.clientAuthMethod === 'none',
    },
    ttl: {
      Session: config.oidc.ttl.session,
      Interaction: config.oidc.ttl.interaction,
      AuthorizationCode: config.oidc.ttl.authorizationCode,
      AccessToken: config.oidc.ttl.accessToken,
      IdToken: config.oidc.ttl.idToken,
      Grant: config.oidc.ttl.grant,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        // A client may only revoke its own tokens.
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        // A client may only look at its own tokens.
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.type = 'html';
          ctx.body = messagePage(
            pageOptions,
            'Sign out',
            'Do you want to sign out of this sign-in service?',
            html`${new Html(form)}
<button type="submit" form="op.logoutForm" name="logout" value="yes" class="primary" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          // "Stay signed in" ends only the asking application's part (if it named itself): say so, rather
          // than tell someone on a shared computer they are signed out while the next person is not asked.
          const session = await ctx.oidc.provider.Session.get(ctx);
          ctx.body = session.accountId
            ? messagePage(pageOptions, 'Still signed in', 'You are still signed in to this sign-in service. Sign out there, or close this window.')
            : messagePage(pageOptions, 'Signed out', 'You are signed out. You can close this window.');
        },
      },
    },
    interactions: {
      policy: interactions(config.legacy, directory, freshLogin),
      url: (_ctx, interaction) => interactionPath(interaction.uid),
    },
    clientBasedCORS: () => false,
    findAccount: accountFinder(config, directory, clients),
    // First-party clients get a grant for what they ask, without a consent screen.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      const client = oidc.client!;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session!.grantIdFor(client.clientId);
      const firstParty = clients.get(client.clientId)?.firstParty ?? false;
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!firstParty) return existing;
      const grant = existing ?? new oidc.provider.Grant({ clientId: client.clientId, accountId: oidc.session!.accountId! });
      const requested = [...(oidc.requestParamScopes ?? [])].filter((scope) => SCOPES.includes(scope));
      const missing = requested.filter((scope) => !grant.getOIDCScope().split(' ').includes(scope));
      if (!existing || missing.length > 0) {
        grant.addOIDCScope(requested.join(' '));
        const claims = [...(oidc.requestParamClaims ?? [])];
        if (claims.length > 0) grant.addOIDCClaims(claims);
        await grant.save();
      }
      return grant;
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      const temporary = out.error === 'temporarily_unavailable';
      ctx.body = messagePage(
        pageOptions,
        temporary ? 'Temporarily unavailable' : 'Something went wrong',
        temporary
          ? 'Signing in is temporarily unavailable. Please try again in a moment.'
          : `The sign-in request cannot be completed (${String(out.error)}). Please start again from the application.`,
      );
    },
  };

  const provider = new Provider(config.issuer, configuration);
  provider.proxy = config.server.trustProxy;
  // Only the addresses our own proxies appended: the leftmost X-Forwarded-For entries are whatever the client sent.
  provider.maxIpsCount = config.server.proxyHops;
  return provider;
}
