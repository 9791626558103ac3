import { randomBytes } from 'node:crypto';
import { DEMO_COLUMNS, DEMO_DISABLED_WHEN, DEMO_SCHEMES, DEMO_TABLE } from '../legacy/demo-seed.js';

export const DEMO_DATA_DIR = '.data/demo';
export const DEMO_JWKS_FILE = 'keys/demo-jwks.json';

/** The path of the built-in page that plays the relying party in demo mode. */
export const DEMO_CALLBACK_PATH = '/demo/callback';

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/**
 * The configuration used when no configuration file exists: localhost, the embedded database, a demo
 * client and the seeded demo users. Environment variables adjust the parts people need to point their
 * own client (or a ZITADEL instance) at it.
 */
export function demoConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const port = env.PORT && /^\d+$/.test(env.PORT) ? Number(env.PORT) : 3000;
  const issuer = env.ISSUER || `http://localhost:${port}`;
  const extraRedirects = (env.DEMO_REDIRECT_URIS ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter(Boolean);
  return {
    issuer,
    demo: true,
    server: { host: '127.0.0.1', port },
    // Folders of the demo's own: its logins and its throwaway key must not become a real deployment's.
    database: { dataDir: DEMO_DATA_DIR },
    legacy: {
      table: DEMO_TABLE,
      columns: DEMO_COLUMNS,
      disabledWhen: DEMO_DISABLED_WHEN,
      passwords: { schemes: DEMO_SCHEMES, options: { saltOrder: 'salt+password' } },
    },
    oidc: {
      clients: [
        {
          clientId: env.DEMO_CLIENT_ID || 'demo',
          clientSecret: env.DEMO_CLIENT_SECRET || 'demo-secret',
          redirectUris: [joinUrl(issuer, DEMO_CALLBACK_PATH), ...extraRedirects],
          postLogoutRedirectUris: [joinUrl(issuer, '/demo')],
        },
      ],
      // Fresh per process: demo sessions end with the process.
      cookieKeys: [randomBytes(32).toString('base64url')],
      jwksFile: DEMO_JWKS_FILE,
    },
  };
}
