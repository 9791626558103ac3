import { z } from 'zod';
import { handOffConfigSchema, passwordsConfigSchema } from '../passwords/config.js';
import { supportedProtocols } from '../legacy/protocols.js';
import { zitadelConfigSchema } from '../zitadel/config.js';
import { secretSchema } from './secret.js';

/**
 * The whole configuration, one schema. Each field's `.describe()` is its documentation
 * (`docs/configuration.md` is generated from it). Unknown keys are errors, so typos do not pass silently.
 */

/** A SQL identifier, optionally schema-qualified; quoted by the dialect, never spliced raw. */
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/, 'must be a plain SQL identifier such as users or app.users');

/** A column name: an empty one would only fail at the first login, as broken SQL. */
const column = z.string().min(1, 'must not be empty: leave the setting out if the table has no such column');

/**
 * A database URL whose scheme is one of `protocols()` (an empty one means none). The messages never repeat
 * the value, which may hold a password.
 */
function databaseUrl(protocols: () => readonly string[], unsupported: (supported: readonly string[]) => string) {
  return z.string().superRefine((value, ctx) => {
    if (value === '') return;
    const supported = protocols();
    // `scheme://` first: `user:password@host` parses as a URL whose scheme is the user name.
    const protocol = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) && URL.canParse(value) ? new URL(value).protocol.slice(0, -1) : undefined;
    if (protocol === undefined) {
      ctx.addIssue({ code: 'custom', message: `is not a URL; expected ${supported.map((p) => `${p}://…`).join(', ')}` });
    } else if (!supported.includes(protocol)) {
      ctx.addIssue({ code: 'custom', message: `unsupported database '${protocol}'; ${unsupported(supported)}` });
    }
  });
}

/** A legacy database URL of a supported kind (empty: the legacy table is in the bridge database). */
const legacyUrl = databaseUrl(supportedProtocols, (supported) => `supported: ${supported.join(', ')}`);

/** The bridge's own database server: PostgreSQL only (a MySQL URL would be read as PostgreSQL on its default port). */
const bridgeDatabaseUrl = databaseUrl(
  () => ['postgres', 'postgresql'],
  () => 'the bridge keeps its own data in PostgreSQL (postgres://…), or unset for the embedded database',
);

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function buildConfigSchema(env: NodeJS.ProcessEnv) {
  const secret = secretSchema({ env });

  const client = z
    .object({
      clientId: z.string().min(1).describe('OAuth client id (what ZITADEL is configured with as "Client ID").'),
      clientSecret: secret.describe('Client secret: `{ env: NAME }`, `{ file: PATH }` or a literal string.'),
      zitadelUrl: httpUrl
        .optional()
        .describe(
          'Base URL of a ZITADEL instance using this client. Adds its callback URLs for both login UIs: ' +
            '/ui/login/login/externalidp/callback, /ui/login/register/externalidp/callback and /idps/callback.',
        ),
      redirectUris: z
        .array(z.url().refine((uri) => !uri.includes('#'), { error: 'a redirect URI has no fragment (OAuth 2.0 forbids one)' }))
        .default([])
        .describe('Further exact redirect URIs.'),
      postLogoutRedirectUris: z.array(z.url()).default([]).describe('Where RP-initiated logout may send the user back to.'),
      tokenEndpointAuthMethod: z
        .enum(['client_secret_basic', 'client_secret_post'])
        .default('client_secret_basic')
        .describe('Registered token endpoint authentication method. Both methods are accepted at the token endpoint.'),
      firstParty: z
        .boolean()
        .default(true)
        .describe('Skip the consent screen: the grant is created for the requested scopes and claims.'),
      idTokenClaims: z
        .boolean()
        .default(false)
        .describe('Also put the profile claims into the ID token (ZITADEL\'s "Use ID token mapping"). Userinfo always has them.'),
    })
    .strict()
    .refine((c) => c.zitadelUrl || (Array.isArray(c.redirectUris) && c.redirectUris.length > 0), {
      message: 'a client needs zitadelUrl or at least one redirectUris entry',
      // Report this together with the client's other problems, not only once they are fixed.
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    });

  const columns = z
    .object({
      id: column.default('id').describe('Stable primary key; becomes `sub` forever. Never a login name or email.'),
      login: z
        .array(column)
        .min(1)
        .default(['username', 'email'])
        .describe('Columns a user may type to sign in (each is tried; two different rows matching is a failed login).'),
      passwordHash: column.default('password_hash').describe('Column holding the password hash.'),
      salt: column.optional().describe('Column holding a separate salt, for salted-digest formats.'),
      email: column.optional().describe('Email address.'),
      emailVerified: column.optional().describe('Boolean-ish column (true/1/yes/t or a non-null timestamp).'),
      givenName: column.optional().describe('First name (given_name).'),
      familyName: column.optional().describe('Last name (family_name).'),
      name: column.optional().describe('Display name; split into given and family name when those are missing.'),
      nickname: column.optional().describe('Nickname.'),
      preferredUsername: column.optional().describe('Username ZITADEL uses for the new user (it falls back to the email).'),
      phoneNumber: column.optional().describe('Phone number.'),
      phoneNumberVerified: column.optional().describe('Boolean-ish column: phone number verified.'),
      locale: column.optional().describe('Preferred language (e.g. en, de-CH).'),
    })
    .strict()
    .describe('Which legacy column holds what. In table mode these are column names; with `queries` they are the names of the result columns.');

  const legacy = z
    .object({
      url: legacyUrl
        .optional()
        .describe('Connection URL of the legacy database: postgres://… or mysql://… (env LEGACY_DATABASE_URL). A read-only role suffices.'),
      poolSize: z.number().int().min(1).max(100).default(10).describe('Connections to the legacy database per bridge process.'),
      connectTimeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('Give up connecting to the legacy database after this long.'),
      queryTimeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('A query slower than this fails the login with "temporarily unavailable".'),
      claimsCacheSeconds: z
        .number()
        .int()
        .min(0)
        .max(300)
        .default(5)
        .describe(
          'Reuse a legacy row read during a login for that long, for the claims at the redirect, the token endpoint, userinfo and the post-login hook. ' +
            'Password checks always read the database, so a disabled user or a new password counts at the next login; ' +
            'a login already past its password check may finish within this window. 0 reads the row every time.',
        ),
      table: identifier.default('users').describe('Users table (table mode).'),
      columns: columns.prefault({}),
      caseInsensitiveLogin: z
        .boolean()
        .default(true)
        .describe(
          'Compare login names case-insensitively. PostgreSQL: LOWER() on both sides (create an index on lower(column)). ' +
            'MySQL/MariaDB: the column\'s collation, which ignores case for the usual _ci collations and keeps the index in use. ' +
            'false compares exactly on both.',
        ),
      disabledWhen: z
        .string()
        .min(1)
        .optional()
        .describe(
          'Table mode: SQL boolean expression over the row that marks a disabled user, e.g. `active = false` or `deleted_at IS NOT NULL`. ' +
            'With `queries` the queries select a `disabled` column instead.',
        ),
      queries: z
        .object({
          findByLogin: z
            .string()
            .min(1)
            .describe('SQL with one placeholder ($1, or ? on MySQL) for the typed login name; on MySQL use `? IN (user_login, user_email)` to test it against several columns.'),
          findById: z.string().min(1).describe('SQL with one placeholder for the id.'),
          list: z
            .string()
            .min(1)
            .optional()
            .describe('SQL with two placeholders, the last id of the previous page (NULL on the first) and the page size, returning users ordered by id.'),
        })
        .strict()
        .optional()
        .describe(
          'Explicit queries instead of table mode. Result columns are named as in `columns`. A disabled user is one whose row has a ' +
            '`disabled` column that is true (true/1/t/yes), e.g. `SELECT …, banned = 1 AS disabled`: select it in every query.',
        ),
      markMigrated: z
        .string()
        .min(1)
        .optional()
        .describe(
          'SQL run against the legacy database once a user is migrated, for legacy apps that redirect migrated users; ' +
            'placeholders: the legacy id, then the ZITADEL user id ($1, $2 or ?, ?). Needs write access to what it changes.',
        ),
      passwords: passwordsConfigSchema.prefault({}),
    })
    .strict()
    // The directory builds the disabled test into table-mode SQL only; explicit queries are run as written.
    .refine((l) => !(l.disabledWhen && l.queries), {
      path: ['disabledWhen'],
      message:
        'is not applied with legacy.queries, so disabled users could sign in: remove it and have findByLogin, findById and list ' +
        'select a boolean `disabled` column instead, e.g. `SELECT …, banned = 1 AS disabled`',
      // Report this together with the section's other problems, not only once they are fixed.
      when: (payload) => isRecord(payload.value) && Boolean(payload.value.disabledWhen) && Boolean(payload.value.queries),
    });

  const claims = z
    .object({
      givenNameFallback: z
        .string()
        .trim()
        .min(1)
        .default('Unknown')
        .describe('given_name when the row has none and no name to split (ZITADEL cannot create a user without it).'),
      familyNameFallback: z.string().trim().min(1).default('Unknown').describe('family_name when the row has none and no name to split.'),
    })
    .strict();

  const ttl = z
    .object({
      session: z.number().int().min(60).default(14 * 24 * 3600).describe('The bridge session (single sign-on for the next ZITADEL login of the browser).'),
      interaction: z.number().int().min(60).default(3600).describe('How long a login page stays usable.'),
      authorizationCode: z.number().int().min(10).max(600).default(60).describe('Authorization codes (ZITADEL redeems them at once).'),
      accessToken: z.number().int().min(60).default(3600).describe('Access tokens (userinfo).'),
      idToken: z.number().int().min(60).default(3600).describe('ID tokens.'),
      grant: z.number().int().min(60).default(14 * 24 * 3600).describe('Grants (what a client was allowed).'),
    })
    .strict()
    .describe('Lifetimes in seconds.');

  return z
    .object({
      issuer: httpUrl
        // Discovery and every endpoint are served from the root, so a path would make the bridge unusable.
        // The message does not repeat the path: a value from the environment may be anything, a secret too.
        .refine((value) => !URL.canParse(value) || new URL(value).pathname === '/', {
          error:
            'must not have a path: the bridge cannot be mounted under a path; ' +
            'serve it at the root of its own host name or port, e.g. https://bridge.example.com',
        })
        // OpenID Connect Discovery: an issuer has no query and no fragment.
        .refine((value) => !URL.canParse(value) || (!value.includes('?') && !value.includes('#')), {
          error: 'must not have a query or a fragment (OpenID Connect forbids them in an issuer)',
        })
        .describe(
          'The issuer identifier, byte for byte as ZITADEL is configured (trailing slash included). No path: the bridge is served at the root of its own host name or port. Never derived from the request.',
        ),
      demo: z.boolean().default(false).describe('Seed and use the demo legacy users table in the bridge database.'),
      server: z
        .object({
          host: z.string().default('0.0.0.0').describe('Address to listen on (env HOST).'),
          port: z.number().int().min(0).max(65535).default(3000).describe('Port to listen on (env PORT).'),
          trustProxy: z.boolean().default(false).describe('Trust X-Forwarded-* headers (set behind a reverse proxy).'),
          proxyHops: z
            .number()
            .int()
            .min(1)
            .max(10)
            .default(1)
            .describe(
              'With trustProxy: how many proxies stand in front. The client address is the one the outermost of them appended to X-Forwarded-For; entries before it come from the client and are not trusted (the login throttle counts per address).',
            ),
          maxFormBytes: z.number().int().min(1024).max(1_048_576).default(16_384).describe('Largest accepted login form body.'),
        })
        .strict()
        .prefault({}),
      database: z
        .object({
          url: bridgeDatabaseUrl.optional().describe('PostgreSQL URL of the bridge database (env DATABASE_URL). Unset: embedded database in dataDir.'),
          dataDir: z.string().default('.data/bridge').describe('Folder of the embedded database: made private to its user (0700) and locked by the process that opens it (bridge.lock), so a second bridge or command on the same folder is refused instead of corrupting it.'),
          poolSize: z.number().int().min(1).max(100).default(10).describe('Connections to the bridge database server per process.'),
          queryTimeoutMs: z
            .number()
            .int()
            .min(1000)
            .max(3_600_000)
            .default(30_000)
            .describe('A bridge database server query not answered within this fails (its request gets an error) instead of waiting forever.'),
        })
        .strict()
        .prefault({}),
      legacy: legacy.prefault({}),
      claims: claims.prefault({}),
      oidc: z
        .object({
          clients: z.array(client).min(1).describe('Relying parties; normally one: the ZITADEL instance.'),
          cookieKeys: z
            .array(secret)
            .min(1)
            .describe('Keys signing the session and interaction cookies; the first signs, all verify. Same on every replica.'),
          jwksFile: z.string().default('keys/jwks.json').describe('Private JWKS of the signing keys (`legacy-bridge keys generate`).'),
          ttl: ttl.prefault({}),
        })
        .strict(),
      login: z
        .object({
          title: z.string().min(1).default('Sign in').describe('Heading of the login page.'),
          language: z.string().min(2).default('en').describe('`lang` of the pages.'),
          throttle: z
            .object({
              maxFailures: z.number().int().min(1).default(10).describe('Failed logins per login name, and per legacy user whatever name they are typed by, within the window before it is locked.'),
              maxFailuresPerAddress: z.number().int().min(1).default(100).describe('Failed logins per client address (an IPv6 client: per /64, which one subscriber commonly holds) within the window.'),
              windowSeconds: z.number().int().min(1).max(86_400).default(900).describe('Length of the counting window; a lock lasts until it ends.'),
            })
            .strict()
            .prefault({}),
        })
        .strict()
        .prefault({}),
      handoff: handOffConfigSchema.prefault({}),
      zitadel: zitadelConfigSchema(env).prefault({}),
      log: z
        .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level (env LOG_LEVEL); logs are JSON lines on standard output.') })
        .strict()
        .prefault({}),
    })
    .strict();
}

export type BridgeConfig = z.output<ReturnType<typeof buildConfigSchema>>;
export type ClientConfig = BridgeConfig['oidc']['clients'][number];
export type LegacyConfig = BridgeConfig['legacy'];
export type ColumnConfig = LegacyConfig['columns'];
