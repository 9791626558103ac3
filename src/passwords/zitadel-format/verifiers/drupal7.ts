import { crypt64Index } from '../../encoding/crypt64.js';
import { constantTimeEqualText } from '../../primitives/compare.js';
import { phpassChecksum } from '../../primitives/phpass.js';
import { above, outside, type ZitadelVerifierSpec } from '../types.js';

/** passwap drupal7: `$S$`, exactly 55 characters; limits count iterations, not their log2. */
export const drupal7Verifier: ZitadelVerifierSpec = {
  name: 'drupal7',
  parse(encoded) {
    if (!encoded.startsWith('$S$') || encoded.length !== 55) return undefined;
    const log2 = crypt64Index(encoded[3]);
    if (log2 < 0) return undefined;
    const iterations = 2 ** log2;
    const salt = encoded.slice(4, 12);
    const checksum = encoded.slice(12);
    return {
      verifier: 'drupal7',
      params: { iterations },
      outOfLimits: ({ drupal7: l }) => outside('iterations', iterations, l.minIterations, l.maxIterations),
      overBounds: (b) => above('log2 iterations', log2, b.drupalMaxLog2),
      verify: async (password) =>
        constantTimeEqualText(phpassChecksum('sha512', password, Buffer.from(salt, 'latin1'), log2).slice(0, checksum.length), checksum),
    };
  },
};
