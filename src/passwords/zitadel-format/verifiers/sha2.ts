import { constantTimeEqualText } from '../../primitives/compare.js';
import { clampShaCryptRounds, SHA_CRYPT_DEFAULT_ROUNDS, SHA_CRYPT_MAX_SALT, shaCryptChecksum } from '../../primitives/sha-crypt.js';
import { goAtoi } from '../scan.js';
import { above, outside, type ZitadelVerifierSpec } from '../types.js';

/**
 * passwap sha2: `$5$` / `$6$` split on `$`; the whole string is rebuilt (salt cut to 16, rounds
 * clamped, `rounds=` kept only if present) and compared.
 */
export const sha2Verifier: ZitadelVerifierSpec = {
  name: 'sha2',
  parse(encoded) {
    const parts = encoded.split('$');
    if (parts.length < 4 || parts.length > 5 || (parts[1] !== '5' && parts[1] !== '6')) return undefined;
    const variant = parts[1] === '5' ? 'sha256' : 'sha512';
    let rounds = SHA_CRYPT_DEFAULT_ROUNDS;
    let includeRounds = false;
    let at = 2;
    if (parts[2]?.startsWith('rounds=')) {
      const parsed = goAtoi(parts[2].slice('rounds='.length));
      if (parsed === undefined) return undefined;
      rounds = parsed;
      includeRounds = true;
      at = 3;
    }
    const salt = (parts[at] ?? '').slice(0, SHA_CRYPT_MAX_SALT);
    const effective = rounds === 0 ? SHA_CRYPT_DEFAULT_ROUNDS : clampShaCryptRounds(rounds);
    return {
      verifier: 'sha2',
      params: { rounds },
      outOfLimits: ({ sha2: l }) => outside('rounds', rounds === 0 ? SHA_CRYPT_DEFAULT_ROUNDS : rounds, l.minRounds, l.maxRounds),
      overBounds: (b) => above('rounds', effective, b.shaCryptMaxRounds),
      async verify(password) {
        const checksum = shaCryptChecksum(variant, password, Buffer.from(salt, 'utf8'), effective);
        const rebuilt = `$${parts[1]}$${includeRounds ? `rounds=${effective}$` : ''}${salt}$${checksum}`;
        return constantTimeEqualText(rebuilt, encoded);
      },
    };
  },
};
