import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Database } from './database.js';
import { PayloadCache } from './payload-cache.js';

interface Row {
  payload: AdapterPayload;
  consumed_at: Date | null;
  expires_at: Date | null;
}

/** A deep copy of a JSON value (what payloads are, as stored); several times cheaper than structuredClone. */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = copyJson(item);
  return copy;
}

/**
 * The models a grant's revocation removes: its tokens and codes, as oidc-provider's own adapter does. An
 * interaction or a session may name a grant too, and must outlive it (a user switching accounts revokes the
 * old account's grant while their interaction goes on).
 */
const GRANT_MEMBERS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'];
const GRANT_MEMBER_SET = new Set(GRANT_MEMBERS);

/**
 * Ids, uids and user codes come from requests (a token, a request_uri, a client_id) and may be anything. One
 * the provider made is some 43 characters and never holds NUL, which PostgreSQL refuses in text: such a
 * value finds nothing, without troubling the database (an error there would answer 500 and log an error).
 */
const MAX_KEY_LENGTH = 512;
const findable = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_KEY_LENGTH && !value.includes('\0');

// One cache per embedded database, shared by every adapter over it.
const caches = new WeakMap<Database, PayloadCache>();

/**
 * oidc-provider's storage contract over the bridge database: one table, one row per model and id, so every
 * replica sees the same sessions, interactions, grants, codes and tokens. Over the embedded database, which
 * only this process can change, reads are served from memory after the first.
 */
export function createOidcAdapter(db: Database): new (model: string) => Adapter {
  let cache: PayloadCache | undefined;
  if (db.kind === 'embedded') {
    cache = caches.get(db) ?? new PayloadCache();
    caches.set(db, cache);
  }
  // Copies in and out: the provider mutates the objects it is given.
  const copy = (payload: AdapterPayload | undefined) => (payload === undefined ? undefined : (copyJson(payload) as AdapterPayload));

  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const { rows } = await db.query<Pick<Row, 'consumed_at'>>(
        `INSERT INTO oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (model, id) DO UPDATE
           SET payload = excluded.payload, grant_id = excluded.grant_id, user_code = excluded.user_code,
               uid = excluded.uid, expires_at = excluded.expires_at
         RETURNING consumed_at`,
        [this.model, id, payload, payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt],
      );
      // A re-saved payload keeps its consumption, as the table does.
      this.#remember(id, { payload: copy(payload)!, consumed_at: rows[0]?.consumed_at ?? null, expires_at: expiresAt });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (!findable(id)) return undefined;
      const key = PayloadCache.key(this.model, id);
      const cached = cache?.get(key) ?? 'miss';
      if (cached !== 'miss') return copy(cached);
      return this.#load('id', id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (!findable(uid)) return undefined;
      const key = cache?.keyForUid(this.model, uid);
      const cached = key ? cache!.get(key) : 'miss';
      if (cached !== 'miss') return copy(cached);
      return this.#load('uid', uid);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (!findable(userCode)) return undefined;
      return this.#load('user_code', userCode);
    }

    /**
     * Consumed once: the provider checks `consumed` on the copy it read earlier, so two redemptions sent
     * together both pass that check; only one of them gets this row. The other is a replay: the grant is
     * revoked and the redemption refused, as for a code used twice in sequence.
     */
    async consume(id: string): Promise<void> {
      const { rows } = await db.query<Row>(
        'UPDATE oidc_payloads SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL RETURNING payload, consumed_at, expires_at',
        [this.model, id],
      );
      if (rows[0]) {
        this.#remember(id, rows[0]);
        return;
      }
      // From the table (the cached copy may predate the other redemption), which also refreshes the cache.
      const current = await this.#load('id', id);
      if (current?.grantId) {
        await this.revokeByGrantId(current.grantId);
        await db.query("DELETE FROM oidc_payloads WHERE model = 'Grant' AND id = $1", [current.grantId]);
        cache?.delete(PayloadCache.key('Grant', current.grantId));
      }
      throw new errors.InvalidGrant(`${this.model} already consumed`);
    }

    async destroy(id: string): Promise<void> {
      await db.query('DELETE FROM oidc_payloads WHERE model = $1 AND id = $2', [this.model, id]);
      cache?.delete(PayloadCache.key(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.query('DELETE FROM oidc_payloads WHERE grant_id = $1 AND model = ANY($2)', [grantId, GRANT_MEMBERS]);
      cache?.deleteGrant(grantId);
    }

    async #load(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const { rows } = await db.query<Row & { id: string }>(
        `SELECT id, payload, consumed_at, expires_at FROM oidc_payloads
         WHERE model = $1 AND ${column} = $2 AND (expires_at IS NULL OR expires_at > $3) LIMIT 1`,
        [this.model, value, new Date()],
      );
      const row = rows[0];
      if (!row) return undefined;
      return copy(this.#remember(row.id, row));
    }

    /** The payload as the provider sees it (with `consumed`), cached when there is a cache. */
    #remember(id: string, row: Row): AdapterPayload {
      const payload = row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
      const grantId = GRANT_MEMBER_SET.has(this.model) ? payload.grantId : undefined;
      cache?.set(PayloadCache.key(this.model, id), payload, row.expires_at?.getTime(), grantId);
      return payload;
    }
  };
}
