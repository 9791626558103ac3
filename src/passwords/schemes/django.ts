import { randomBytes } from 'node:crypto';
import { decodeBase64 } from '../encoding/base64.js';
import { isHex } from '../encoding/hex.js';
import { md5PlainString, md5SaltedString, pbkdf2String, scryptString } from '../encoding/passwap.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { digest, DIGEST_BYTES, utf8, type DigestName } from '../primitives/digest.js';
import type { PasswordScheme } from '../scheme.js';
import { argon2Dummy, argon2ToZitadel, parseArgon2, verifyArgon2 } from './argon2.js';
import { bcryptDummy, parseBcryptFor, verifyBcryptParts } from './bcrypt.js';
import { verifyPbkdf2 } from './pbkdf2.js';
import { verifyScrypt } from './scrypt.js';
import { decimal, exactLog2, malformed, orNull, randomHex } from './support.js';

/** Django's `algorithm$…` hashers (django.contrib.auth.hashers), current and legacy. */

const CANONICAL = { padding: 'required', strict: true } as const;

// --- PBKDF2: `pbkdf2_sha256$iterations$salt$base64(key)`, the salt used as its UTF-8 text.

function djangoPbkdf2(id: string, algorithm: string, hash: DigestName): PasswordScheme {
  const parse = (text: string) => {
    const m = new RegExp(`^${algorithm}\\$(\\d+)\\$([^$]*)\\$([A-Za-z0-9+/]+={0,2})$`).exec(text);
    const rounds = decimal(m?.[1]);
    // Django compares the whole encoded string, so only its own canonical padded base64 can match.
    const key = decodeBase64(m?.[3] ?? '', CANONICAL);
    if (!m || rounds === undefined || !key) return malformed(id, `not a ${algorithm} string`);
    return { rounds, salt: utf8(m[2] ?? ''), key };
  };
  return {
    id,
    blocking: false,
    identify: ({ hash: text }) => text.startsWith(`${algorithm}$`),
    verify: async (password, { hash: text }, ctx) => {
      const { rounds, salt, key } = parse(text);
      // Django derives digest-size keys; a stored key of another length can never match.
      if (key.length !== DIGEST_BYTES[hash]) return Promise.resolve(false);
      return verifyPbkdf2(id, password, salt, rounds, hash, key, ctx);
    },
    toZitadel: ({ hash: text }) => orNull(() => {
      const { rounds, salt, key } = parse(text);
      return pbkdf2String(hash, rounds, salt, key);
    }),
    dummy: () => ({ hash: `${algorithm}$600000$${randomHex(11)}$${randomBytes(DIGEST_BYTES[hash]).toString('base64')}` }),
  };
}

export const djangoPbkdf2Sha256Scheme = djangoPbkdf2('django-pbkdf2-sha256', 'pbkdf2_sha256', 'sha256');
export const djangoPbkdf2Sha1Scheme = djangoPbkdf2('django-pbkdf2-sha1', 'pbkdf2_sha1', 'sha1');

// --- argon2 and bcrypt: Django prefixes the library's own string.

export const djangoArgon2Scheme: PasswordScheme = {
  id: 'django-argon2',
  blocking: false,
  identify: ({ hash }) => /^argon2\$argon2(id|i|d)\$/.test(hash),
  verify: async (password, { hash }, ctx) => verifyArgon2('django-argon2', password, parseArgon2('django-argon2', hash.slice(6)), ctx),
  toZitadel: ({ hash }) => orNull(() => argon2ToZitadel(parseArgon2('django-argon2', hash.slice(6)))),
  dummy: () => ({ hash: `argon2${argon2Dummy('argon2id')}` }),
};

export const djangoBcryptScheme: PasswordScheme = {
  id: 'django-bcrypt',
  blocking: false,
  identify: ({ hash }) => /^bcrypt\$\$2[aby]\$/.test(hash),
  verify: async (password, { hash }, ctx) => verifyBcryptParts('django-bcrypt', password, parseBcryptFor('django-bcrypt', hash.slice(7), ['a', 'b', 'y']), ctx),
  toZitadel: ({ hash }) => orNull(() => (parseBcryptFor('django-bcrypt', hash.slice(7), ['a', 'b', 'y']), hash.slice(7))),
  dummy: () => bcryptDummy('bcrypt$'),
};

/** bcrypt of hex(sha256(password)), so that long passwords keep all their bytes. */
export const djangoBcryptSha256Scheme: PasswordScheme = {
  id: 'django-bcrypt-sha256',
  blocking: false,
  identify: ({ hash }) => /^bcrypt_sha256\$\$2[aby]\$/.test(hash),
  verify: async (password, { hash }, ctx) => {
    const parts = parseBcryptFor('django-bcrypt-sha256', hash.slice(14), ['a', 'b', 'y']);
    return verifyBcryptParts('django-bcrypt-sha256', Buffer.from(digest('sha256', password).toString('hex'), 'latin1'), parts, ctx);
  },
  toZitadel: () => null,
  dummy: () => bcryptDummy('bcrypt_sha256$'),
};

// --- scrypt (Django ≥ 4.0): `scrypt$N$salt$r$p$base64(key)`, 64-byte key, text salt.

const DJANGO_SCRYPT = /^scrypt\$(\d+)\$([^$]*)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})$/;

function parseDjangoScrypt(text: string) {
  const m = DJANGO_SCRYPT.exec(text);
  const logN = exactLog2(decimal(m?.[1]) ?? 0);
  const r = decimal(m?.[3]);
  const p = decimal(m?.[4]);
  const key = decodeBase64(m?.[5] ?? '', CANONICAL);
  if (!m || logN === undefined || r === undefined || p === undefined || !key || key.length !== 64) return malformed('django-scrypt', 'not a Django scrypt string');
  return { logN, r, p, salt: utf8(m[2] ?? ''), key };
}

export const djangoScryptScheme: PasswordScheme = {
  id: 'django-scrypt',
  blocking: false,
  identify: ({ hash }) => DJANGO_SCRYPT.test(hash),
  verify: async (password, { hash }, ctx) => {
    const { salt, key, ...params } = parseDjangoScrypt(hash);
    return verifyScrypt('django-scrypt', password, salt, params, key, ctx);
  },
  toZitadel: ({ hash }) => orNull(() => {
    const { logN, r, p, salt, key } = parseDjangoScrypt(hash);
    return scryptString(logN, r, p, salt, key);
  }),
  dummy: () => ({ hash: `scrypt$16384$${randomHex(11)}$8$5$${randomBytes(64).toString('base64')}` }),
};

// --- Legacy digests: `sha1$salt$hex` = sha1(salt ‖ password), `md5$salt$hex`, and unsalted forms.

function saltedDigest(id: string, hash: 'md5' | 'sha1', salted: boolean): PasswordScheme {
  const hexLength = DIGEST_BYTES[hash] * 2;
  const pattern = salted
    ? new RegExp(`^${hash}\\$([^$]+)\\$([0-9a-fA-F]{${hexLength}})$`)
    : new RegExp(`^${hash === 'md5' ? '(?:md5\\$\\$)?' : 'sha1\\$\\$'}([0-9a-fA-F]{${hexLength}})$`);
  const parse = (text: string) => {
    const m = pattern.exec(text) ?? malformed(id, 'not a Django digest string');
    return salted ? { salt: m[1] ?? '', hex: m[2] ?? '' } : { salt: '', hex: m[1] ?? '' };
  };
  return {
    id,
    blocking: false,
    identify: ({ hash: text }) => pattern.test(text),
    verify: async (password, { hash: text }) => {
      const { salt, hex } = parse(text);
      return constantTimeEqual(digest(hash, utf8(salt), password), Buffer.from(hex, 'hex'));
    },
    toZitadel: ({ hash: text }) => orNull(() => {
      if (hash !== 'md5') return null;
      const { salt, hex } = parse(text);
      const bytes = Buffer.from(hex, 'hex');
      if (!salted) return isHex(text, 16) ? text : md5PlainString(bytes);
      return md5SaltedString('prefix', salt, bytes);
    }),
    dummy: () => ({ hash: salted ? `${hash}$${randomHex(6)}$${randomHex(DIGEST_BYTES[hash])}` : `${hash === 'md5' ? '' : 'sha1$$'}${randomHex(DIGEST_BYTES[hash])}` }),
  };
}

export const djangoSha1Scheme = saltedDigest('django-sha1', 'sha1', true);
export const djangoMd5Scheme = saltedDigest('django-md5', 'md5', true);
export const djangoUnsaltedMd5Scheme = saltedDigest('django-unsalted-md5', 'md5', false);
export const djangoUnsaltedSha1Scheme = saltedDigest('django-unsalted-sha1', 'sha1', false);
