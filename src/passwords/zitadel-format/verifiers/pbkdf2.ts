import { constantTimeEqual } from '../../primitives/compare.js';
import type { DigestName } from '../../primitives/digest.js';
import { pbkdf2, pbkdf2Blocks } from '../../primitives/pbkdf2.js';
import { autoDecodePbkdf2, fields, goUint } from '../scan.js';
import { above, outside, type ZitadelVerifierSpec } from '../types.js';

const HASHES: Readonly<Record<string, DigestName>> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha224': 'sha224',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha384': 'sha384',
  'pbkdf2-sha512': 'sha512',
};

/** passwap pbkdf2: `$pbkdf2[-shaN]$rounds$salt$key`, passlib or standard base64, padding ignored, key length as decoded. */
export const pbkdf2Verifier: ZitadelVerifierSpec = {
  name: 'pbkdf2',
  parse(encoded) {
    if (!encoded.startsWith('$pbkdf2')) return undefined;
    const [id, roundsText, saltText, keyText] = fields(encoded);
    const hash = HASHES[id ?? ''];
    const rounds = goUint(roundsText, 32);
    const salt = autoDecodePbkdf2(saltText ?? '');
    const key = autoDecodePbkdf2(keyText ?? '');
    if (!hash || rounds === undefined || !salt || !key) return undefined;
    return {
      verifier: 'pbkdf2',
      params: { rounds },
      outOfLimits: ({ pbkdf2: l }) => outside('rounds', rounds, l.minRounds, l.maxRounds),
      overBounds: (b) => above('key length', key.length, 256) ?? above('rounds × key blocks', rounds * pbkdf2Blocks(key.length, hash), b.pbkdf2MaxRounds),
      async verify(password) {
        if (rounds < 1 || key.length === 0) return false;
        return constantTimeEqual(await pbkdf2(password, salt, rounds, key.length, hash), key);
      },
    };
  },
};
