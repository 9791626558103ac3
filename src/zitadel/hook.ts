import Router from '@koa/router';
import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import { BodyError, isJsonObject, parseJsonObject, readBody, type JsonObject } from '../server/body.js';
import type { BridgeConfig } from '../config/schema.js';
import type { LegacyDirectory } from '../legacy/directory.js';
import type { MigrationService } from '../migration/service.js';
import { userClaims } from '../oidc/claims.js';
import type { Logger } from '../server/logger.js';
import { creationTargets, withHandOff } from './intent-reply.js';
import { SIGNATURE_HEADER, verifySignature, type SignatureCheck } from './signature.js';

export const RETRIEVE_INTENT_METHOD = '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent';

export interface HookDependencies {
  readonly config: BridgeConfig;
  readonly provider: Provider;
  readonly migration: MigrationService;
  readonly directory: LegacyDirectory;
  readonly logger: Logger;
  /** The two proofs a call must bring; replaced only to measure what they cost. */
  readonly checks?: HookChecks;
}

/** Proof that ZITADEL sent the call, and that the token inside was issued here for this subject. */
export interface HookChecks {
  signature(raw: Buffer, header: string | undefined): SignatureCheck;
  token(accessToken: string, subject: string): Promise<'foreign-token' | 'other-subject' | undefined>;
}

/** The real checks: ZITADEL-Signature with the configured keys, and an access token of ours, valid, for `subject`. */
export function hookChecks(config: BridgeConfig, provider: Provider): HookChecks {
  const hook = config.zitadel.hook;
  const keys = hook.signingKeys.map((key) => key.reveal());
  const clients = new Set(config.oidc.clients.map((client) => client.clientId));
  return {
    signature: (raw, header) => verifySignature(raw, header, keys, hook.toleranceSeconds),
    async token(accessToken, subject) {
      const token = await provider.AccessToken.find(accessToken);
      if (!token || token.isExpired || !clients.has(token.clientId ?? '')) return 'foreign-token';
      return token.accountId === subject ? undefined : 'other-subject';
    },
  };
}


/** Why a call got no hash; logged, never sent back in detail. */
export type HookDecision =
  | 'released'
  | 'not-for-us'
  | 'already-linked'
  | 'nothing-to-create'
  | 'no-token'
  | 'foreign-token'
  | 'other-subject'
  | 'unknown-user'
  | 'stale-login'
  | 'replayed';

/**
 * The Actions v2 target ZITADEL calls on the response of RetrieveIdentityProviderIntent (login v2): when
 * ZITADEL is about to create a user from the bridge's IdP, the reply adds the user's password hash and
 * legacy profile. A hash goes out only for a signed call carrying an access token this bridge issued to a
 * ZITADEL client, unexpired, for the same subject, right after a login here — and only once per token.
 */
export function hookRoutes(deps: HookDependencies): Router {
  const { config, migration, directory, logger } = deps;
  const hook = config.zitadel.hook;
  const checks = deps.checks ?? hookChecks(config, deps.provider);
  const router = new Router();

  /** A client error ZITADEL forwards to its caller (the call fails; no user is created). */
  const refuse = (ctx: Context, status: 400 | 401 | 413, message: string) => {
    ctx.status = 200;
    ctx.body = { forwardedStatusCode: status, forwardedErrorMessage: message };
  };
  /** An empty body: ZITADEL goes on with its response unchanged. */
  const unchanged = (ctx: Context, decision: HookDecision, extra: JsonObject = {}) => {
    logger.info({ decision, ...extra }, 'idp intent hook: no hand-off');
    ctx.status = 200;
    ctx.body = '';
  };

  router.post(hook.path, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await handle(ctx);
    } catch (error) {
      if ((error as { code?: string }).code !== 'LEGACY_UNAVAILABLE') throw error;
      logger.error({ err: error }, 'idp intent hook: legacy directory unavailable');
      ctx.status = 503;
      ctx.body = { error: 'temporarily_unavailable' };
    }
  });

  async function handle(ctx: Context): Promise<void> {
    let raw: Buffer;
    try {
      raw = await readBody(ctx, hook.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      refuse(ctx, error.status, error.status === 413 ? 'request too large' : 'unreadable request');
      return;
    }
    const signature = checks.signature(raw, ctx.get(SIGNATURE_HEADER) || undefined);
    if (!signature.ok) {
      logger.warn({ reason: signature.reason }, 'idp intent hook: signature refused');
      refuse(ctx, 401, 'invalid signature');
      return;
    }
    const envelope = parseJsonObject(raw);
    if (!envelope || !isJsonObject(envelope.response)) {
      refuse(ctx, 400, 'not a JSON envelope with a response message');
      return;
    }
    if (envelope.fullMethod !== RETRIEVE_INTENT_METHOD) return unchanged(ctx, 'not-for-us', { method: typeof envelope.fullMethod === 'string' ? envelope.fullMethod.slice(0, 100) : typeof envelope.fullMethod });
    const response = envelope.response;
    const information = isJsonObject(response.idpInformation) ? response.idpInformation : {};
    if (information.idpId !== config.zitadel.idpId) return unchanged(ctx, 'not-for-us');
    if (typeof response.userId === 'string' && response.userId !== '') {
      // ZITADEL holds the user, linked to this legacy id: a hand-off made earlier is confirmed.
      const subject = typeof information.userId === 'string' ? information.userId : '';
      const { confirmed, replaced } = subject ? await migration.confirmHandOff(subject, response.userId) : {};
      if (replaced) logger.warn({ userId: subject, zitadelUserId: response.userId }, 'idp intent hook: ZITADEL holds a new user for this legacy user; migrate retry completes its hand-off');
      return unchanged(ctx, 'already-linked', confirmed ? { userId: subject, confirmed: true } : replaced ? { userId: subject, replaced: true } : {});
    }
    if (creationTargets(response).length === 0) return unchanged(ctx, 'nothing-to-create');

    const subject = typeof information.userId === 'string' ? information.userId : '';
    const accessToken = isJsonObject(information.oauth) && typeof information.oauth.accessToken === 'string' ? information.oauth.accessToken : '';
    if (!subject || !accessToken) return unchanged(ctx, 'no-token');
    // Both at once (they are independent); the legacy row before any release: if the legacy database is
    // down, nothing is released and ZITADEL's call fails.
    const [refused, user] = await Promise.all([checks.token(accessToken, subject), directory.findById(subject)]);
    if (refused) return unchanged(ctx, refused, { userId: subject });
    if (!user) return unchanged(ctx, 'unknown-user', { userId: subject });
    const known = await migration.entry(user.id);
    if (known?.confirmed && known.zitadelUserId) {
      // ZITADEL held this user, linked, and creates them again: the one it held was deleted. Created now, they
      // would get no password (the hash went to the deleted one). Refused instead, and their next sign-in
      // through ZITADEL is a password login here, whose hash goes with the creation.
      await migration.goneFromZitadel(user.id, known.zitadelUserId);
      logger.warn({ userId: subject, zitadelUserId: known.zitadelUserId }, 'idp intent hook: ZITADEL creates a user it held before; refused until the user signs in again');
      refuse(ctx, 400, 'this account is being set up again: please sign in again');
      return;
    }
    const release = await migration.releaseForHook(user, accessToken, hook.maxLoginAgeSeconds);
    if (!release.released) return unchanged(ctx, release.reason, { userId: subject });
    const reply = withHandOff(response, {
      ...(release.hash ? { hash: release.hash } : {}),
      claims: userClaims(user, config.claims),
      legacyId: user.id,
      metadataKey: config.zitadel.legacyIdMetadataKey,
    });
    logger.info({ decision: 'released', userId: subject, withPassword: Boolean(release.hash), handoff: release.entry.handoff }, 'idp intent hook: hand-off');
    ctx.status = 200;
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(reply);
  }

  return router;
}
