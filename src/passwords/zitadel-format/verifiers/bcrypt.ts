import { bcryptCompare, parseBcrypt } from '../../primitives/bcrypt.js';
import { above, outside, type ZitadelVerifierSpec } from '../types.js';

/** passwap bcrypt: `$2a$`, `$2b$`, `$2y$` (Go's bcrypt; only the first 72 password bytes count). */
export const bcryptVerifier: ZitadelVerifierSpec = {
  name: 'bcrypt',
  parse(encoded) {
    const parts = parseBcrypt(encoded);
    if (!parts || parts.minor === 'x' || parts.cost < 4 || parts.cost > 31) return undefined;
    return {
      verifier: 'bcrypt',
      params: { cost: parts.cost },
      outOfLimits: (limits) => outside('cost', parts.cost, limits.bcrypt.minCost, limits.bcrypt.maxCost),
      overBounds: (bounds) => above('cost', parts.cost, bounds.bcryptMaxCost),
      verify: (password) => bcryptCompare(password, parts),
    };
  },
};
