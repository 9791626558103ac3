import Provider, { errors, interactionPolicy, type AccountClaims, type Configuration, type KoaContextWithOIDC, type SigningAlgorithmWithNone } from 'oidc-provider';
import type { BridgeConfig, ClientConfig } from '../config/schema.js';
import { LegacyUnavailableError, type LegacyDirectory } from '../legacy/directory.js';
import { Html, html } from '../login/html.js';
import { messagePage } from '../login/views.js';
import { createOidcAdapter } from '../store/oidc-adapter.js';
import type { Database } from '../store/database.js';
import { SCOPE_CLAIMS, userClaims } from './claims.js';
import { clientMetadata } from './clients.js';
import type { PrivateJwks } from './keys.js';
import { interactionPath } from './paths.js';

export interface ProviderDependencies {
  readonly config: BridgeConfig;
  readonly db: Database;
  readonly directory: LegacyDirectory;
  readonly jwks: PrivateJwks;
  /** oidc-provider's own in-memory storage instead of the database: only to measure what storage costs. */
  readonly inMemoryStorage?: boolean;
}

const SCOPES = Object.keys(SCOPE_CLAIMS);

/**
 * ZITADEL sends `prompt=select_account` on every request without `login_hint`. The prompt is accepted and
 * never blocks: without a session the login prompt runs anyway; with one, single sign-on continues.
 *
 * A `login_hint` that names another legacy user than the one this browser is signed in as asks for a login:
 * ZITADEL sends it when it knows who is signing in, and on a shared computer single sign-on would otherwise
 * hand it the previous person. A hint that names nobody leaves the session as it is.
 */
function interactions(directory: LegacyDirectory): ReturnType<typeof interactionPolicy.base> {
  const { Check } = interactionPolicy;
  const policy = interactionPolicy.base();
  const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
  selectAccount.checks.clear();
  policy.add(selectAccount, 0);
  policy.get('login')!.checks.add(
    new Check('login_hint_other_user', 'login_hint names another user than the one signed in', async (ctx) => {
      const { oidc } = ctx;
      const hint = oidc.params?.login_hint;
      const signedIn = oidc.session?.accountId;
      // Just signed in during this very interaction: whoever that is stands (asking again would loop).
      if (typeof hint !== 'string' || hint.trim() === '' || !signedIn || oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      const named = await directory.findByLogin(hint.trim());
      return named && named.id !== signedIn ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  return policy;
}

export function createProvider({ config, db, directory, jwks, inMemoryStorage }: ProviderDependencies): Provider {
  const clients = new Map<string, ClientConfig>(config.oidc.clients.map((client) => [client.clientId, client]));
  const signingAlg = ((jwks.keys[0]?.alg as string | undefined) ?? 'RS256') as SigningAlgorithmWithNone;
  const pageOptions = { title: config.login.title, language: config.login.language };

  const configuration: Configuration = {
    ...(inMemoryStorage ? {} : { adapter: createOidcAdapter(db) }),
    clients: config.oidc.clients.map((client) => ({ ...clientMetadata(client), id_token_signed_response_alg: signingAlg })),
    jwks: { keys: jwks.keys as NonNullable<Configuration['jwks']>['keys'] },
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
        postLogoutSuccessSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = messagePage(pageOptions, 'Signed out', 'You are signed out. You can close this window.');
        },
      },
    },
    interactions: {
      policy: interactions(directory),
      url: (_ctx, interaction) => interactionPath(interaction.uid),
    },
    clientBasedCORS: () => false,
    async findAccount(ctx: KoaContextWithOIDC, sub: string) {
      let user;
      try {
        user = await directory.findById(sub);
      } catch (error) {
        if (error instanceof LegacyUnavailableError) throw new errors.TemporarilyUnavailable('the user directory is temporarily unavailable');
        throw error;
      }
      if (!user || user.disabled) return undefined;
      const claims = userClaims(user, config.claims);
      const withIdTokenClaims = clients.get(ctx.oidc.client?.clientId ?? '')?.idTokenClaims ?? false;
      return {
        accountId: user.id,
        claims: (use: string): AccountClaims => (use === 'id_token' && !withIdTokenClaims ? { sub: user.id } : { ...claims, sub: user.id }),
      };
    },
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
