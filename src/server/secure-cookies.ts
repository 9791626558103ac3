import type Koa from 'koa';

/**
 * With an https issuer browsers reach the bridge over TLS only, but behind a TLS-terminating proxy that is
 * not trusted (`server.trustProxy` off) every request looks like plain HTTP, and Koa would send the cookies
 * without `Secure` (and refuse to mark them). So every context of the app marks its cookies secure,
 * including the contexts oidc-provider creates on the side for its session and interaction cookies.
 */
export function alwaysSecureCookies(app: Koa): void {
  const createContext = app.createContext.bind(app);
  app.createContext = ((req, res) => {
    const ctx = createContext(req, res);
    ctx.cookies.secure = true;
    return ctx;
  }) as typeof app.createContext;
}
