import { constantTimeEqualText } from '../primitives/compare.js';
import { desCryptChecksum } from '../primitives/des-crypt.js';
import type { PasswordScheme } from '../scheme.js';
import { malformed, randomCrypt64 } from './support.js';

/** Traditional 13-character DES crypt(3): only the first 8 bytes of the password count. */

const DES = /^([./0-9A-Za-z]{2})([./0-9A-Za-z]{11})$/;

export const desCryptScheme: PasswordScheme = {
  id: 'des-crypt',
  blocking: true,
  identify: ({ hash }) => DES.test(hash),
  verify: async (password, { hash }) => {
    const m = DES.exec(hash) ?? malformed('des-crypt', 'not a 13-character DES crypt string');
    return constantTimeEqualText(desCryptChecksum(password, m[1] ?? ''), m[2] ?? '');
  },
  toZitadel: () => null,
  dummy: () => ({ hash: randomCrypt64(13) }),
};
