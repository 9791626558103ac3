import { z } from 'zod';
import { secretSchema } from '../config/secret.js';
import { patProblem } from './pat.js';

/**
 * How the bridge reaches ZITADEL and which of the three hand-off paths it serves: the Actions v2
 * post-login hook, provisioning before the redirect, and the Actions v1 endpoint. Each `.describe()` is
 * the documentation of its setting.
 */
export function zitadelConfigSchema(env: NodeJS.ProcessEnv) {
  const secret = secretSchema({ env });
  return z
    .object({
      url: z
        .url({ protocol: /^https?$/ })
        .optional()
        .describe('Base URL of the ZITADEL instance API, e.g. https://auth.example.com. Needed for provisioning, Actions v1 and `migrate retry`.'),
      pat: secret.optional().describe('Personal access token of a ZITADEL service user allowed to manage users of the organization.'),
      organizationId: z.string().min(1).optional().describe('Organization the migrated users are created in.'),
      idpId: z
        .string()
        .min(1)
        .optional()
        .describe('Id of the bridge\'s generic OIDC IdP in ZITADEL (printed by `legacy-bridge zitadel setup`). Users are linked to it.'),
      timeoutMs: z.number().int().min(100).max(60_000).default(5000).describe('Timeout of one call to ZITADEL.'),
      retries: z.number().int().min(0).max(5).default(2).describe('Further attempts of a call that failed for a transient reason.'),
      hook: z
        .object({
          enabled: z.boolean().default(false).describe('Serve the Actions v2 target for RetrieveIdentityProviderIntent (login v2).'),
          path: z.string().regex(/^\/[A-Za-z0-9/_-]+$/).default('/hooks/zitadel/idp-intent').describe('Path of the target endpoint.'),
          signingKeys: z
            .array(secret)
            .default([])
            .describe('Signing key(s) of the ZITADEL target; several during a key rotation. Requests signed by none are refused.'),
          toleranceSeconds: z.number().int().min(1).max(3600).default(300).describe('Accepted age of the signature timestamp (ZITADEL\'s own validator: 300).'),
          maxLoginAgeSeconds: z
            .number()
            .int()
            .min(10)
            .max(3600)
            .default(300)
            .describe('A hash is released only for a login at the bridge at most this old.'),
          maxBodyBytes: z.number().int().min(1024).max(10_485_760).default(1_048_576).describe('Largest accepted request body.'),
        })
        .strict()
        .prefault({}),
      provision: z
        .object({
          enabled: z.boolean().default(false).describe('Create the user in ZITADEL (with the hash, linked to the IdP) before redirecting back.'),
          usernameTaken: z
            .enum(['link', 'refuse'])
            .default('refuse')
            .describe('A ZITADEL user with the same username but without the link: link it and set the hash (only when both have the same verified email), or refuse (the login continues without it).'),
        })
        .strict()
        .prefault({}),
      actionsV1: z
        .object({
          path: z.string().regex(/^\/[A-Za-z0-9/_-]+$/).default('/hooks/zitadel/v1/post-creation').describe('Path the Post Creation action calls.'),
          secret: secret.optional().describe('Shared secret the action sends; the endpoint is off without it.'),
        })
        .strict()
        .prefault({}),
      withoutHash: z
        .enum(['reset', 'changeRequired'])
        .default('reset')
        .describe(
          'A user ZITADEL gets without a password (no importable hash, no re-hash possible). `reset`: the bridge has ZITADEL send a password reset link: at once when it provisions the user, else (the hook, the Post Creation action) at the next `migrate retry`, so run it regularly. ' +
            '`changeRequired`: nothing is sent now; with no password, ZITADEL has the user set a new one at their first sign-in with a password, ' +
            'and sign-in through the bridge keeps working meanwhile.',
        ),
      pendingHashTtlSeconds: z
        .number()
        .int()
        .min(60)
        .max(7 * 24 * 3600)
        .default(24 * 3600)
        .describe('How long a hand-off hash made at login waits (sealed) for ZITADEL before it is erased.'),
      legacyIdMetadataKey: z.string().min(1).default('legacy_id').describe('ZITADEL user metadata key holding the legacy id.'),
    })
    .strict()
    .superRefine((c, ctx) => {
      const api = c.url && c.pat && c.organizationId && c.idpId;
      const need = (path: string, what: string) => ctx.addIssue({ code: 'custom', path: [path], message: `${what} needs zitadel.url, pat, organizationId and idpId` });
      if (c.provision.enabled && !api) need('provision', 'provisioning');
      if (c.actionsV1.secret && !api) need('actionsV1', 'the Actions v1 endpoint');
      if (c.actionsV1.secret && /[,\s]/.test(c.actionsV1.secret.reveal())) {
        ctx.addIssue({
          code: 'custom',
          path: ['actionsV1', 'secret'],
          message: 'must contain no comma and no blank: ZITADEL\'s action fetch splits header values at commas and trims them',
        });
      }
      const patIssue = c.pat ? patProblem(c.pat.reveal()) : undefined;
      if (patIssue) ctx.addIssue({ code: 'custom', path: ['pat'], message: patIssue });
      if (c.hook.enabled && c.hook.signingKeys.length === 0) ctx.addIssue({ code: 'custom', path: ['hook', 'signingKeys'], message: 'the hook needs at least one signing key' });
      // A hook call still inside the login's freshness would find the hash already erased: the user would be
      // created without a password although the login was fresh.
      if ((c.hook.enabled || c.actionsV1.secret) && c.pendingHashTtlSeconds < c.hook.maxLoginAgeSeconds) {
        ctx.addIssue({
          code: 'custom',
          path: ['pendingHashTtlSeconds'],
          message: `must be at least hook.maxLoginAgeSeconds (${c.hook.maxLoginAgeSeconds}): a hash must wait as long as the login it came from may release it`,
        });
      }
      if (c.hook.enabled && !c.idpId) ctx.addIssue({ code: 'custom', path: ['idpId'], message: 'the hook needs the IdP id to know which calls are its own' });
    });
}

export type ZitadelConfig = z.output<ReturnType<typeof zitadelConfigSchema>>;
