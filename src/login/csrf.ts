import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Form tokens bound to one interaction: HMAC(key, uid). A form posted for another interaction, or forged
 * without the key, fails. Keys derive from the cookie keys, so every replica accepts every replica's forms,
 * and a rotated-out key stops working with its cookies.
 */
export class CsrfTokens {
  readonly #keys: Buffer[];

  constructor(cookieKeys: readonly string[]) {
    this.#keys = cookieKeys.map((key) => Buffer.from(hkdfSync('sha256', key, 'legacy-bridge', 'login form token', 32)));
  }

  issue(uid: string): string {
    return this.#sign(this.#keys[0]!, uid).toString('base64url');
  }

  verify(uid: string, token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 64) return false;
    const given = Buffer.from(token, 'base64url');
    let ok = false;
    for (const key of this.#keys) {
      const expected = this.#sign(key, uid);
      // Every key is tried, so the time taken does not say which one matched.
      if (given.length === expected.length && timingSafeEqual(given, expected)) ok = true;
    }
    return ok;
  }

  #sign(key: Buffer, uid: string): Buffer {
    return createHmac('sha256', key).update(uid).digest();
  }
}
