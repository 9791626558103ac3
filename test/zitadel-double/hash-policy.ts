import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { HashClassification, ImportedHashPolicy } from '../support/zitadel/index.js';

/**
 * A small passwap stand-in for the double's own tests: bcrypt (ZITADEL's default import limits, cost 10–16)
 * and md5plain (bare hex, which once enabled claims every hex string). The bridge's tests use the real
 * passwap-faithful policy from the password module instead.
 */

const BCRYPT = /^\$2([aby])\$(\d\d)\$[./A-Za-z0-9]{53}$/;
// Go's hex.DecodeString: an even number of hex digits.
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

export const BCRYPT_LIMITS = { min: 10, max: 16 } as const;

export const testHashPolicy: ImportedHashPolicy = {
  classify(hash: string, enabled: readonly string[]): HashClassification {
    if (hash.length > 200) return { ok: false, reason: 'too-long', message: 'longer than 200 characters' };
    if (enabled.includes('bcrypt') && hash.startsWith('$2')) {
      const match = BCRYPT.exec(hash);
      if (!match) return { ok: false, reason: 'unsupported', message: 'not a bcrypt hash passwap parses' };
      const cost = Number(match[2]);
      if (cost < BCRYPT_LIMITS.min || cost > BCRYPT_LIMITS.max) return { ok: false, reason: 'limits', message: `bcrypt cost ${cost} outside ${BCRYPT_LIMITS.min}–${BCRYPT_LIMITS.max}` };
      return { ok: true, verifier: 'bcrypt' };
    }
    if (enabled.includes('md5plain') && HEX.test(hash)) return { ok: true, verifier: 'md5plain' };
    return { ok: false, reason: 'unsupported', message: 'no enabled verifier claims this hash' };
  },

  async verify(password: string, hash: string): Promise<boolean> {
    if (hash.startsWith('$2')) return bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    return createHash('md5').update(password).digest('hex') === hash.toLowerCase();
  },
};
