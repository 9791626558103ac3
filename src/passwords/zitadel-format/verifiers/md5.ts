import { constantTimeEqualText } from '../../primitives/compare.js';
import { md5CryptChecksum } from '../../primitives/md5-crypt.js';
import { fields } from '../scan.js';
import type { ZitadelVerifierSpec } from '../types.js';

/** passwap md5: `$1$salt$checksum` (the salt is used whole; `$apr1$` is not claimed). */
export const md5Verifier: ZitadelVerifierSpec = {
  name: 'md5',
  parse(encoded) {
    if (!encoded.startsWith('$1$')) return undefined;
    const [, salt, checksum] = fields(encoded);
    if (salt === undefined || checksum === undefined) return undefined;
    return {
      verifier: 'md5',
      params: {},
      outOfLimits: () => undefined,
      overBounds: () => undefined,
      verify: async (password) => constantTimeEqualText(md5CryptChecksum('$1$', password, Buffer.from(salt, 'utf8')), checksum),
    };
  },
};
