import { isHex } from '../encoding/hex.js';
import { md5SaltedString } from '../encoding/passwap.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { digest, DIGEST_BYTES, utf8 } from '../primitives/digest.js';
import type { PasswordScheme, SchemeContext, StoredCredential } from '../scheme.js';
import { malformed, randomHex } from './support.js';

/**
 * Bare hex digests of home-grown apps: unsalted (`md5-hex` …), or salted with the salt in its own
 * column (`StoredCredential.salt`) placed before or after the password as configured.
 */

type Plain = 'md5' | 'sha1' | 'sha256' | 'sha512';

const hasSalt = (stored: StoredCredential): boolean => typeof stored.salt === 'string' && stored.salt.length > 0;
/** A salt value, possibly empty; NULL (or no salt column) is none. */
const hasSaltColumn = (stored: StoredCredential): boolean => typeof stored.salt === 'string';

function plainScheme(hash: Plain): PasswordScheme {
  const id = `${hash}-hex`;
  const bytes = DIGEST_BYTES[hash];
  return {
    id,
    blocking: false,
    identify: (stored) => isHex(stored.hash, bytes) && !hasSalt(stored),
    verify: async (password, { hash: text }) => {
      if (!isHex(text, bytes)) malformed(id, `not ${bytes * 2} hex digits`);
      return constantTimeEqual(digest(hash, password), Buffer.from(text, 'hex'));
    },
    // md5plain is the only bare-hex verifier, and it claims every hex string: only md5 may go there.
    toZitadel: ({ hash: text }) => (hash === 'md5' && isHex(text, 16) ? text : null),
    dummy: () => ({ hash: randomHex(bytes) }),
  };
}

export const md5HexScheme = plainScheme('md5');
export const sha1HexScheme = plainScheme('sha1');
export const sha256HexScheme = plainScheme('sha256');
export const sha512HexScheme = plainScheme('sha512');

function saltOrder(ctx: SchemeContext): 'salt+password' | 'password+salt' {
  // Configuration validation insists on an explicit order; this default only serves direct use.
  return ctx.options.saltOrder ?? 'salt+password';
}

function saltedScheme(hash: Plain): PasswordScheme {
  const id = `${hash}-salted`;
  const bytes = DIGEST_BYTES[hash];
  const parse = (stored: StoredCredential): { salt: Buffer; expected: Buffer } => {
    // An empty salt is hashed as one: digest(password), as the legacy code concatenating it did.
    if (!isHex(stored.hash, bytes) || !hasSaltColumn(stored)) return malformed(id, `needs ${bytes * 2} hex digits and a salt`);
    return { salt: utf8(stored.salt ?? ''), expected: Buffer.from(stored.hash, 'hex') };
  };
  return {
    id,
    blocking: false,
    // An empty salt is digest(password): the plain scheme's result, whichever is listed first.
    identify: (stored) => isHex(stored.hash, bytes) && hasSaltColumn(stored),
    verify: async (password, stored, ctx) => {
      const { salt, expected } = parse(stored);
      const computed = saltOrder(ctx) === 'salt+password' ? digest(hash, salt, password) : digest(hash, password, salt);
      return constantTimeEqual(computed, expected);
    },
    toZitadel: (stored, ctx) => {
      if (hash !== 'md5' || !isHex(stored.hash, 16)) return null;
      // md5 of the password alone is md5plain.
      if (!hasSalt(stored)) return stored.hash.toLowerCase();
      const order = saltOrder(ctx) === 'salt+password' ? 'prefix' : 'suffix';
      return md5SaltedString(order, stored.salt ?? '', Buffer.from(stored.hash, 'hex'));
    },
    dummy: () => ({ hash: randomHex(bytes), salt: randomHex(8) }),
  };
}

export const md5SaltedScheme = saltedScheme('md5');
export const sha1SaltedScheme = saltedScheme('sha1');
export const sha256SaltedScheme = saltedScheme('sha256');
export const sha512SaltedScheme = saltedScheme('sha512');

/** Joomla 1.5–3.x: `hex(md5(password ‖ salt)):salt`. */
const JOOMLA = /^([0-9a-fA-F]{32}):([^:]+)$/;

export const joomlaMd5Scheme: PasswordScheme = {
  id: 'joomla-md5',
  blocking: false,
  identify: ({ hash }) => JOOMLA.test(hash),
  verify: async (password, { hash }) => {
    const m = JOOMLA.exec(hash) ?? malformed('joomla-md5', 'not hex:salt');
    return constantTimeEqual(digest('md5', password, utf8(m[2] ?? '')), Buffer.from(m[1] ?? '', 'hex'));
  },
  toZitadel: ({ hash }) => {
    const m = JOOMLA.exec(hash);
    return m ? md5SaltedString('suffix', m[2] ?? '', Buffer.from(m[1] ?? '', 'hex')) : null;
  },
  dummy: () => ({ hash: `${randomHex(16)}:${randomHex(16)}` }),
};
