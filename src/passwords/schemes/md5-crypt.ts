import { constantTimeEqualText } from '../primitives/compare.js';
import { md5CryptChecksum } from '../primitives/md5-crypt.js';
import type { PasswordScheme } from '../scheme.js';
import { malformed, orNull, randomCrypt64 } from './support.js';

/** md5-crypt `$1$` (old Linux/BSD shadow, Cisco, openssl) and Apache's `$apr1$`. */

interface Md5CryptHash {
  readonly salt: string;
  readonly checksum: string;
}

function parse(scheme: string, magic: string, hash: string): Md5CryptHash {
  if (!hash.startsWith(magic)) return malformed(scheme, 'wrong prefix');
  const m = /^([^$]*)\$([./0-9A-Za-z]{22})$/.exec(hash.slice(magic.length));
  if (!m) return malformed(scheme, 'not an md5-crypt string');
  // crypt(3) reads at most 8 salt characters.
  return { salt: (m[1] ?? '').slice(0, 8), checksum: m[2] ?? '' };
}

function cryptScheme(id: string, magic: '$1$' | '$apr1$', exportable: boolean): PasswordScheme {
  return {
    id,
    blocking: true,
    identify: ({ hash }) => hash.startsWith(magic),
    verify: async (password, { hash }) => {
      const { salt, checksum } = parse(id, magic, hash);
      return constantTimeEqualText(md5CryptChecksum(magic, password, Buffer.from(salt, 'utf8')), checksum);
    },
    toZitadel: ({ hash }) =>
      exportable
        ? orNull(() => {
            const { salt, checksum } = parse(id, magic, hash);
            // ZITADEL splits the string at white space (it scans it as words): such a salt would never verify there.
            return salt && !/[\s\u0085]/u.test(salt) ? `${magic}${salt}$${checksum}` : null;
          })
        : null,
    dummy: () => ({ hash: `${magic}${randomCrypt64(8)}$${randomCrypt64(22)}` }),
  };
}

export const md5CryptScheme = cryptScheme('md5-crypt', '$1$', true);
// ZITADEL only reads `$1$`, and the magic string is part of the digest: no re-encoding exists.
export const apr1Md5Scheme = cryptScheme('apr1-md5', '$apr1$', false);
