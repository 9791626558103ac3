import type { ClientMetadata } from 'oidc-provider';
import type { ClientConfig } from '../config/schema.js';

/** Where ZITADEL's login UIs receive the IdP's answer (login v1, its older register path, login v2 / v2 API). */
export const ZITADEL_CALLBACK_PATHS = [
  '/ui/login/login/externalidp/callback',
  '/ui/login/register/externalidp/callback',
  '/idps/callback',
] as const;

export function redirectUrisOf(client: ClientConfig): string[] {
  const base = client.zitadelUrl?.replace(/\/+$/, '');
  const zitadel = base ? ZITADEL_CALLBACK_PATHS.map((path) => `${base}${path}`) : [];
  return [...new Set([...zitadel, ...client.redirectUris])];
}

/** oidc-provider metadata for a configured client: confidential, code flow, ID tokens signed with `idTokenAlg` (the signing key's). */
export function clientMetadata(client: ClientConfig, idTokenAlg: string): ClientMetadata {
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret.reveal(),
    redirect_uris: redirectUrisOf(client),
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    id_token_signed_response_alg: idTokenAlg as ClientMetadata['id_token_signed_response_alg'],
  };
}
