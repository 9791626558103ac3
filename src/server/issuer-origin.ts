import type Koa from 'koa';

/**
 * Every URL the provider builds from a request (discovery, its redirects to its own pages) starts with the
 * issuer's origin, never with what the request names: the Host and X-Forwarded-Host headers are the client's
 * to choose, so a cache in front could hand everyone a discovery document pointing elsewhere, and a host that
 * is no host would fail the request. Set on the app's request prototype, which every context's request
 * (oidc-provider makes contexts of its own too) inherits from: once, not per request.
 */
export function pinIssuerOrigin(app: Koa, issuer: string): void {
  const { origin, host, hostname } = new URL(issuer);
  Object.defineProperties(app.request, {
    origin: { value: origin },
    host: { value: host },
    hostname: { value: hostname },
    href: {
      get(this: Koa.Request) {
        // An absolute request target (GET http://elsewhere/auth) keeps only its path and query.
        const target = /^[a-z][a-z0-9+.-]*:/i.test(this.originalUrl) ? URL.parse(this.originalUrl) : undefined;
        return origin + (target ? `${target.pathname}${target.search}` : this.originalUrl);
      },
    },
  });
}
