import type { AdapterPayload } from 'oidc-provider';

interface Entry {
  readonly payload: AdapterPayload | undefined;
  /** Epoch ms after which the payload no longer exists; undefined: no expiry. */
  readonly expiresAt: number | undefined;
  readonly grantId: string | undefined;
}

/**
 * The provider payloads of the embedded database, kept in memory as they are written and read. Only the
 * process that owns the embedded database can change it, so this copy cannot go stale; a database server
 * shared by replicas never gets one. Bounded: the least recently used entries go first.
 */
export class PayloadCache {
  readonly #entries = new Map<string, Entry>();
  /** uid → id, and grantId → keys, for the lookups the provider makes by those. */
  readonly #byUid = new Map<string, string>();
  readonly #byGrant = new Map<string, Set<string>>();

  constructor(private readonly capacity = 20_000) {}

  static key(model: string, id: string): string {
    return `${model}\u0000${id}`;
  }

  /** The cached payload (or a cached "absent"), or `miss` when the database must be asked. */
  get(key: string): AdapterPayload | undefined | 'miss' {
    const entry = this.#entries.get(key);
    if (!entry) return 'miss';
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    // Map order is insertion order: re-inserting marks the entry as the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.payload;
  }

  /** `grantId`: the grant whose revocation removes this entry, if it is one of the grant's tokens. */
  set(key: string, payload: AdapterPayload, expiresAt: number | undefined, grantId?: string): void {
    this.delete(key);
    this.#entries.set(key, { payload, expiresAt, grantId });
    if (payload.uid) this.#byUid.set(`${key.split('\u0000')[0]}\u0000${payload.uid}`, key);
    if (grantId) {
      const keys = this.#byGrant.get(grantId) ?? new Set<string>();
      keys.add(key);
      this.#byGrant.set(grantId, keys);
    }
    while (this.#entries.size > this.capacity) this.delete(this.#entries.keys().next().value!);
  }

  keyForUid(model: string, uid: string): string | undefined {
    return this.#byUid.get(`${model}\u0000${uid}`);
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const payload = entry.payload;
    if (payload?.uid) this.#byUid.delete(`${key.split('\u0000')[0]}\u0000${payload.uid}`);
    if (entry.grantId) this.#forgetGrantMember(entry.grantId, key);
  }

  /** How many grants have entries here (what the grant index holds). */
  get grantCount(): number {
    return this.#byGrant.size;
  }

  #forgetGrantMember(grantId: string, key: string): void {
    const keys = this.#byGrant.get(grantId);
    keys?.delete(key);
    // A grant's last entry gone (expired, evicted, consumed): its empty set would otherwise stay forever.
    if (keys?.size === 0) this.#byGrant.delete(grantId);
  }

  deleteGrant(grantId: string): void {
    for (const key of this.#byGrant.get(grantId) ?? []) this.delete(key);
    this.#byGrant.delete(grantId);
  }
}
