import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Encrypts short secrets kept in the database for a while (a pending hand-off hash) with AES-256-GCM
 * under keys derived from the bridge's cookie keys. A database dump alone then reveals nothing, and
 * every replica can open what another sealed. The first key seals; all keys open.
 */
export class SealedBox {
  readonly #keys: Buffer[];

  constructor(secrets: readonly string[], purpose: string) {
    if (secrets.length === 0) throw new Error('a sealed box needs at least one key');
    this.#keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'legacy-bridge', `sealed box: ${purpose}`, 32)));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0]!, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /** The plaintext, or undefined when no key opens it (tampered, or sealed under a retired key). */
  open(sealed: string): string | undefined {
    const [version, iv, body, tag] = sealed.split('.');
    if (version !== VERSION || !iv || !body || !tag) return undefined;
    for (const key of this.#keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        // Not this key; try the next.
      }
    }
    return undefined;
  }
}
