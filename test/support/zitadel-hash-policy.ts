import { checkZitadelImport, verifyZitadelHash, ZITADEL_VERIFIERS, type ZitadelVerifier } from '../../src/passwords/index.js';
import type { HashClassification, ImportedHashPolicy } from './zitadel/index.js';

/**
 * The ZITADEL double's password rules from the password module's passwap-faithful code: which enabled
 * verifier claims an imported hash, ZITADEL's default import limits, and ZITADEL's verification.
 */
export const passwapPolicy: ImportedHashPolicy = {
  classify(hash: string, enabled: readonly string[]): HashClassification {
    if (hash.length > 200) return { ok: false, reason: 'too-long', message: 'longer than 200 characters' };
    const verifiers = ZITADEL_VERIFIERS.filter((name) => enabled.includes(name) || name === 'bcrypt') as ZitadelVerifier[];
    const check = checkZitadelImport(hash, { verifiers });
    if (check.ok) return { ok: true, verifier: check.hash.verifier };
    const unclaimed = /no enabled ZITADEL verifier/.test(check.reason);
    return { ok: false, reason: unclaimed ? 'unsupported' : 'limits', message: check.reason };
  },
  verify: (password: string, hash: string) => verifyZitadelHash(hash, password, { enforceLimits: false }),
};
