import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Code } from '@connectrpc/connect';
import Router from '@koa/router';
import type { Context } from 'koa';
import { BodyError, parseJsonObject, readBody, type JsonObject } from '../server/body.js';
import type { BridgeConfig } from '../config/schema.js';
import type { MigrationService } from '../migration/service.js';
import type { Logger } from '../server/logger.js';
import { ZitadelApiError, type ZitadelApi } from './api.js';

export interface ActionsV1Dependencies {
  readonly config: BridgeConfig;
  readonly migration: MigrationService;
  /** ZITADEL's API: reads the new user's IdP links (the hash itself is set by the migration service). */
  readonly api: ZitadelApi;
  readonly logger: Logger;
}

/** The request is `{"userId":"…"}`: a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
/** ZITADEL's user ids are 18-digit numbers; custom ids are at most 200 characters. */
const MAX_USER_ID_LENGTH = 200;
const USER_ID = /^[^\p{Cc}\s]+$/u;

/** Why a call set no hash; logged, and sent back as a short code only. */
export type ActionsV1Decision =
  | 'migrated'
  | 'already-migrated'
  | 'unknown-user'
  | 'not-linked'
  | 'stale-login'
  | 'zitadel-unavailable'
  | 'zitadel-refused'
  | 'handoff-failed';


/**
 * The endpoint login v1's Post Creation action calls (External Authentication flow): ZITADEL has just
 * created a user from the bridge's IdP, without a password (no v1 trigger can set one), and the action
 * sends the new user's id. The bridge reads the user's link to its IdP — the link's user id is our `sub` —
 * and, if that legacy user logged in here moments ago, sets the hash through ZITADEL's API. The hash
 * never travels back to the action: the answer is a status (204, or an error code).
 *
 * Calls bear `Authorization: Bearer <zitadel.actionsV1.secret>`. ZITADEL's `fetch` splits a string header
 * value at commas and trims the parts, so a secret must have neither.
 */
export function actionsV1Routes(deps: ActionsV1Dependencies): Router {
  const { config, migration, api, logger } = deps;
  const { path, secret } = config.zitadel.actionsV1;
  if (!secret) throw new Error('the Actions v1 endpoint needs zitadel.actionsV1.secret');
  // The configuration refuses a secret with a comma or a blank (ZITADEL's fetch would split it).
  const shared = secret.reveal();
  // Both sides are compared as HMACs under a key of this process: equal lengths, constant time, whatever is sent.
  const macKey = randomBytes(32);
  const mac = (value: string) => createHmac('sha256', macKey).update(value, 'utf8').digest();
  const expected = mac(shared);
  const maxLoginAgeMs = config.zitadel.hook.maxLoginAgeSeconds * 1000;
  const router = new Router();

  const answer = (ctx: Context, status: number, error: string) => {
    ctx.status = status;
    ctx.body = { error };
  };
  const decided = (decision: ActionsV1Decision, extra: JsonObject, warn = false) =>
    logger[warn ? 'warn' : 'info']({ decision, ...extra }, decision === 'migrated' ? 'actions v1: hash set in ZITADEL' : 'actions v1: no hash set');

  function authorized(ctx: Context): boolean {
    const match = /^Bearer +(\S+)$/i.exec(ctx.get('authorization'));
    const presented = mac(match?.[1] ?? '');
    return timingSafeEqual(presented, expected) && match !== null;
  }

  router.post(path, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    try {
      await handle(ctx);
    } catch (error) {
      if ((error as { code?: string }).code !== 'LEGACY_UNAVAILABLE') throw error;
      logger.error({ err: error }, 'actions v1: legacy directory unavailable');
      answer(ctx, 503, 'temporarily_unavailable');
    }
  });

  async function handle(ctx: Context): Promise<void> {
    if (!authorized(ctx)) {
      logger.warn({ reason: ctx.get('authorization') ? 'wrong secret' : 'no credentials' }, 'actions v1: call refused');
      ctx.set('WWW-Authenticate', 'Bearer');
      answer(ctx, 401, 'unauthorized');
      return;
    }
    let raw: Buffer;
    try {
      raw = await readBody(ctx, MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      answer(ctx, error.status, error.status === 413 ? 'request_too_large' : 'invalid_request');
      return;
    }
    const zitadelUserId = parseJsonObject(raw)?.userId;
    if (typeof zitadelUserId !== 'string' || zitadelUserId.length === 0 || zitadelUserId.length > MAX_USER_ID_LENGTH || !USER_ID.test(zitadelUserId)) {
      answer(ctx, 400, 'invalid_request');
      return;
    }

    // The link to the bridge's IdP names the legacy user; a user without one is none of ours.
    let legacyId: string | undefined;
    try {
      legacyId = await api.linkOf(zitadelUserId);
    } catch (error) {
      if (!(error instanceof ZitadelApiError)) throw error;
      if (error.grpcCode === Code.NotFound) {
        decided('unknown-user', { zitadelUserId });
        answer(ctx, 404, 'unknown_user');
      } else if (error.retryable) {
        decided('zitadel-unavailable', { zitadelUserId, reason: error.message }, true);
        answer(ctx, 503, 'temporarily_unavailable');
      } else {
        decided('zitadel-refused', { zitadelUserId, reason: error.message }, true);
        answer(ctx, 502, 'zitadel_error');
      }
      return;
    }
    if (!legacyId) {
      decided('not-linked', { zitadelUserId });
      answer(ctx, 404, 'not_linked');
      return;
    }

    // Idempotent: this very ZITADEL user has its hand-off already.
    const entry = await migration.entry(legacyId);
    if (entry?.state === 'migrated' && entry.zitadelUserId === zitadelUserId) {
      decided('already-migrated', { userId: legacyId, zitadelUserId });
      ctx.status = 204;
      return;
    }
    // Only right after a login here: the action runs when ZITADEL creates the user at the end of that login.
    if (!entry?.lastLoginAt || entry.lastLoginAt.getTime() < Date.now() - maxLoginAgeMs) {
      decided('stale-login', { userId: legacyId, zitadelUserId });
      answer(ctx, 409, 'no_recent_login');
      return;
    }
    const result = await migration.completeExisting(legacyId, zitadelUserId, 'actions-v1');
    if (result.state !== 'migrated') {
      // The ledger says failed and keeps the pending hash: `migrate retry` finishes it.
      decided('handoff-failed', { userId: legacyId, zitadelUserId, reason: result.failureReason }, true);
      answer(ctx, 503, 'handoff_failed');
      return;
    }
    decided('migrated', { userId: legacyId, zitadelUserId, handoff: result.handoff });
    ctx.status = 204;
  }

  return router;
}
