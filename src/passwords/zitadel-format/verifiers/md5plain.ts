import { decodeHex } from '../../encoding/hex.js';
import { constantTimeEqual } from '../../primitives/compare.js';
import { digest } from '../../primitives/digest.js';
import type { ZitadelVerifierSpec } from '../types.js';

/** passwap md5plain: any hex string (Go's hex decoder, either case) is claimed; only 32 digits can match. */
export const md5plainVerifier: ZitadelVerifierSpec = {
  name: 'md5plain',
  parse(encoded) {
    const expected = decodeHex(encoded);
    if (!expected) return undefined;
    return {
      verifier: 'md5plain',
      params: {},
      outOfLimits: () => undefined,
      overBounds: () => undefined,
      verify: async (password) => constantTimeEqual(digest('md5', password), expected),
    };
  },
};
