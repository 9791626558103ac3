import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** v2: bound to a context (the user it belongs to). v1 values were not; they expired with their hand-off TTL. */
const VERSION = 'v2';
const TAG_BYTES = 16;

/**
 * Encrypts short secrets kept in the database for a while (a pending hand-off hash) with AES-256-GCM
 * under keys derived from the bridge's cookie keys. A database dump alone then reveals nothing, and
 * every replica can open what another sealed. The first key seals; all keys open.
 *
 * Each value is bound to a context (authenticated, not encrypted): a value copied into another user's row
 * does not open there, so write access to the database alone cannot hand one user's password to another.
 */
export class SealedBox {
  readonly #keys: Buffer[];

  constructor(secrets: readonly string[], purpose: string) {
    if (secrets.length === 0) throw new Error('a sealed box needs at least one key');
    this.#keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'legacy-bridge', `sealed box: ${purpose}`, 32)));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0]!, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** The plaintext, or undefined when no key opens it for `context` (tampered, moved, or sealed under a retired key). */
  open(sealed: string, context: string): string | undefined {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !body || !tag) return undefined;
    const tagBytes = Buffer.from(tag, 'base64url');
    // GCM would accept a tag cut short (down to 4 bytes), and with it a forgery that much easier.
    if (tagBytes.length !== TAG_BYTES) return undefined;
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(tagBytes);
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // Not this key; try the next.
      }
    }
    return undefined;
  }
}
