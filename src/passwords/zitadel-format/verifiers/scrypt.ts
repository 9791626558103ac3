import { constantTimeEqual } from '../../primitives/compare.js';
import { scrypt, scryptMemoryBytes } from '../../primitives/scrypt.js';
import { fields, goUint, rawStdStrict } from '../scan.js';
import { above, outside, type ZitadelVerifierSpec } from '../types.js';

/** passwap scrypt: `$scrypt$ln=…,r=…,p=…$salt$hash`, strict unpadded base64 (`$7$` is claimed but never parses). */
export const scryptVerifier: ZitadelVerifierSpec = {
  name: 'scrypt',
  parse(encoded) {
    if (!encoded.startsWith('$scrypt$') && !encoded.startsWith('$7$')) return undefined;
    const [, costs, saltText, hashText] = fields(encoded);
    const c = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(costs ?? '');
    const logN = goUint(c?.[1], 31);
    const r = goUint(c?.[2], 31);
    const p = goUint(c?.[3], 31);
    const salt = rawStdStrict(saltText ?? '');
    const hash = rawStdStrict(hashText ?? '');
    if (logN === undefined || r === undefined || p === undefined || !salt || !hash) return undefined;
    return {
      verifier: 'scrypt',
      params: { ln: logN, r, p },
      outOfLimits: ({ scrypt: l }) =>
        outside('ln', logN, l.minLN, l.maxLN) ?? outside('r', r, l.minR, l.maxR) ?? outside('p', p, l.minP, l.maxP) ?? (r * p > 2 ** 30 ? 'r·p above 2^30' : undefined),
      overBounds: (b) =>
        above('ln', logN, b.scryptMaxLogN) ??
        above('r', r, b.scryptMaxR) ??
        above('p', p, b.scryptMaxP) ??
        above('memory (MiB)', scryptMemoryBytes({ logN, r }) / 2 ** 20, b.scryptMaxMemoryMiB) ??
        above('work (128·N·r·p, MiB)', (scryptMemoryBytes({ logN, r }) * p) / 2 ** 20, b.scryptMaxWorkMiB),
      async verify(password) {
        if (logN < 1 || r < 1 || p < 1) return false;
        try {
          return constantTimeEqual(await scrypt(password, salt, { logN, r, p, keyLength: hash.length }), hash);
        } catch {
          return false;
        }
      },
    };
  },
};
