import { constantTimeEqual } from '../../primitives/compare.js';
import { digest, utf8 } from '../../primitives/digest.js';
import { fields, stdPadded } from '../scan.js';
import type { ZitadelVerifierSpec } from '../types.js';

/**
 * passwap md5salted: `$md5salted-prefix$salt$b64` = md5(salt ‖ pw), `-suffix` = md5(pw ‖ salt), padded
 * standard base64. passwap decodes the digest only when verifying; it is decoded here at once, so a
 * string that could never verify is not claimed.
 */
export const md5saltedVerifier: ZitadelVerifierSpec = {
  name: 'md5salted',
  parse(encoded) {
    if (!encoded.startsWith('$md5salted')) return undefined;
    const [id, salt, hashText] = fields(encoded);
    const expected = stdPadded(hashText ?? '');
    if ((id !== 'md5salted-prefix' && id !== 'md5salted-suffix') || salt === undefined || !expected) return undefined;
    const saltBytes = utf8(salt);
    return {
      verifier: 'md5salted',
      params: {},
      outOfLimits: () => undefined,
      overBounds: () => undefined,
      verify: async (password) =>
        constantTimeEqual(id === 'md5salted-prefix' ? digest('md5', saltBytes, password) : digest('md5', password, saltBytes), expected),
    };
  },
};
