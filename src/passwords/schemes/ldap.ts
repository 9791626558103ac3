import { randomBytes } from 'node:crypto';
import { decodeBase64, encodeAb64 } from '../encoding/base64.js';
import { md5PlainString, md5SaltedString, pbkdf2String } from '../encoding/passwap.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { digest, DIGEST_BYTES, type DigestName } from '../primitives/digest.js';
import { runsInWorker, type PasswordScheme, type StoredCredential } from '../scheme.js';
import { bcrypt2xScheme, bcryptScheme } from './bcrypt.js';
import { sha256CryptScheme, sha512CryptScheme } from './crypt-sha2.js';
import { desCryptScheme } from './des-crypt.js';
import { md5CryptScheme } from './md5-crypt.js';
import { parsePasslibPbkdf2, verifyPbkdf2 } from './pbkdf2.js';
import { malformed, orNull } from './support.js';

/** RFC 2307 `{SCHEME}value` userPassword values (OpenLDAP, 389-ds, htpasswd -s). Tags are case-insensitive. */

function tagged(tag: string, hash: string): string | undefined {
  return hash.length > tag.length + 2 && hash.slice(0, tag.length + 2).toUpperCase() === `{${tag}}` ? hash.slice(tag.length + 2) : undefined;
}

// --- {SHA}, {SSHA}, {MD5}, {SMD5}, {SHA256}, …: base64(digest(password ‖ salt) ‖ salt).

interface Split {
  readonly digest: Buffer;
  readonly salt: Buffer;
}

function digestScheme(id: string, tag: string, hash: DigestName, salted: boolean, toZitadel: (split: Split) => string | null): PasswordScheme {
  const size = DIGEST_BYTES[hash];
  const split = (text: string): Split => {
    const bytes = decodeBase64(tagged(tag, text) ?? '', { padding: 'required' });
    // The salt length varies by server (4–16 bytes): the digest length splits the value.
    if (!bytes || (salted ? bytes.length < size : bytes.length !== size)) return malformed(id, `not a {${tag}} value`);
    return { digest: bytes.subarray(0, size), salt: bytes.subarray(size) };
  };
  return {
    id,
    blocking: false,
    identify: ({ hash: text }) => tagged(tag, text) !== undefined,
    verify: async (password, { hash: text }) => {
      const parts = split(text);
      return constantTimeEqual(digest(hash, password, parts.salt), parts.digest);
    },
    toZitadel: ({ hash: text }) => orNull(() => toZitadel(split(text))),
    dummy: () => ({ hash: `{${tag}}${randomBytes(size + (salted ? 8 : 0)).toString('base64')}` }),
  };
}

const none = (): null => null;

export const ldapShaScheme = digestScheme('ldap-sha', 'SHA', 'sha1', false, none);
export const ldapSshaScheme = digestScheme('ldap-ssha', 'SSHA', 'sha1', true, none);
export const ldapMd5Scheme = digestScheme('ldap-md5', 'MD5', 'md5', false, ({ digest: d }) => md5PlainString(d));
// md5(pw ‖ salt) is md5salted-suffix when the salt bytes are printable ASCII: passwap hashes the salt's
// UTF-8 bytes, which are the same bytes only for ASCII.
export const ldapSmd5Scheme = digestScheme('ldap-smd5', 'SMD5', 'md5', true, ({ digest: d, salt }) => {
  if (salt.length === 0) return md5PlainString(d);
  return salt.every((byte) => byte > 0x20 && byte < 0x7f) ? md5SaltedString('suffix', salt.toString('latin1'), d) : null;
});
export const ldapSha256Scheme = digestScheme('ldap-sha256', 'SHA256', 'sha256', false, none);
export const ldapSsha256Scheme = digestScheme('ldap-ssha256', 'SSHA256', 'sha256', true, none);
export const ldapSha512Scheme = digestScheme('ldap-sha512', 'SHA512', 'sha512', false, none);
export const ldapSsha512Scheme = digestScheme('ldap-ssha512', 'SSHA512', 'sha512', true, none);

// --- {CRYPT}: a crypt(3) string; the inner scheme is chosen by its own identification.

const CRYPT_SCHEMES = [bcryptScheme, bcrypt2xScheme, md5CryptScheme, sha256CryptScheme, sha512CryptScheme, desCryptScheme];

function inner(text: string): { scheme: PasswordScheme; stored: StoredCredential } {
  const body = tagged('CRYPT', text) ?? malformed('ldap-crypt', 'not a {CRYPT} value');
  const stored = { hash: body };
  const scheme = CRYPT_SCHEMES.find((candidate) => candidate.identify(stored)) ?? malformed('ldap-crypt', 'unsupported crypt(3) method');
  return { scheme, stored };
}

export const ldapCryptScheme: PasswordScheme = {
  id: 'ldap-crypt',
  // As the inner method's; a malformed value is refused at once, on the main thread.
  blocking: (password, { hash }) => {
    const found = orNull(() => inner(hash));
    return found !== null && runsInWorker(found.scheme, password, found.stored);
  },
  identify: ({ hash }) => tagged('CRYPT', hash) !== undefined,
  verify: async (password, { hash }, ctx) => {
    const { scheme, stored } = inner(hash);
    return scheme.verify(password, stored, ctx);
  },
  toZitadel: ({ hash }, ctx) => orNull(() => {
    const { scheme, stored } = inner(hash);
    return scheme.toZitadel(stored, ctx);
  }),
  dummy: (ctx) => ({ hash: `{CRYPT}${sha512CryptScheme.dummy?.(ctx).hash ?? ''}` }),
};

// --- {PBKDF2-SHA256}rounds$salt$key: passlib's layout in adapted base64.

function pbkdf2Of(text: string) {
  return parsePasslibPbkdf2('ldap-pbkdf2-sha256', tagged('PBKDF2-SHA256', text) ?? malformed('ldap-pbkdf2-sha256', 'not a {PBKDF2-SHA256} value'), 'sha256');
}

export const ldapPbkdf2Sha256Scheme: PasswordScheme = {
  id: 'ldap-pbkdf2-sha256',
  blocking: false,
  identify: ({ hash }) => tagged('PBKDF2-SHA256', hash) !== undefined,
  verify: async (password, { hash }, ctx) => {
    const { rounds, salt, key } = pbkdf2Of(hash);
    return verifyPbkdf2('ldap-pbkdf2-sha256', password, salt, rounds, 'sha256', key, ctx);
  },
  toZitadel: ({ hash }) => orNull(() => {
    const { rounds, salt, key } = pbkdf2Of(hash);
    return pbkdf2String('sha256', rounds, salt, key);
  }),
  dummy: () => ({ hash: `{PBKDF2-SHA256}29000$${encodeAb64(randomBytes(16))}$${encodeAb64(randomBytes(32))}` }),
};
