import { crypt64Index } from '../../encoding/crypt64.js';
import { constantTimeEqualText } from '../../primitives/compare.js';
import { phpassChecksum } from '../../primitives/phpass.js';
import { above, outside, type ZitadelVerifierSpec } from '../types.js';

/** passwap phpass: `$P$` / `$H$`, exactly 34 characters; the rebuilt string is compared. */
export const phpassVerifier: ZitadelVerifierSpec = {
  name: 'phpass',
  parse(encoded) {
    if ((!encoded.startsWith('$P$') && !encoded.startsWith('$H$')) || encoded.length !== 34) return undefined;
    const log2 = crypt64Index(encoded[3]);
    const salt = encoded.slice(4, 12);
    return {
      verifier: 'phpass',
      params: { log2 },
      outOfLimits: ({ phpass: l }) => outside('log2 rounds', log2, l.minLog2, l.maxLog2),
      overBounds: (b) => above('log2 rounds', log2, b.phpassMaxLog2),
      async verify(password) {
        if (log2 < 0) return false;
        return constantTimeEqualText(encoded.slice(0, 12) + phpassChecksum('md5', password, Buffer.from(salt, 'latin1'), log2), encoded);
      },
    };
  },
};
