import { decodeHex } from '../encoding/hex.js';
import { md5PlainString, pbkdf2String, scryptString } from '../encoding/passwap.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { digest, DIGEST_BYTES, hmac, utf8, type DigestName } from '../primitives/digest.js';
import type { PasswordScheme } from '../scheme.js';
import { verifyPbkdf2 } from './pbkdf2.js';
import { verifyScrypt } from './scrypt.js';
import { decimal, exactLog2, malformed, orNull, randomHex } from './support.js';

/** Flask / Werkzeug `generate_password_hash`: `method$salt$hex`, the salt used as UTF-8 text. */

const DIGESTS = 'md5|sha1|sha224|sha256|sha384|sha512';

// --- `pbkdf2:sha256:260000$salt$hex` (the iteration count is always written).

const PBKDF2 = new RegExp(`^pbkdf2:(${DIGESTS}):(\\d+)\\$([^$]*)\\$([0-9a-fA-F]+)$`);

function parsePbkdf2(text: string) {
  const m = PBKDF2.exec(text);
  const rounds = decimal(m?.[2]);
  const key = decodeHex(m?.[4] ?? '');
  if (!m || rounds === undefined || !key || m[1] === 'md5') return malformed('werkzeug-pbkdf2', 'not a Werkzeug pbkdf2 string');
  const hash = m[1] as DigestName;
  // Werkzeug derives digest-size keys and compares the hex: any other length is a damaged hash.
  if (key.length !== DIGEST_BYTES[hash]) malformed('werkzeug-pbkdf2', 'key length is not the digest size');
  return { hash, rounds, salt: utf8(m[3] ?? ''), key };
}

export const werkzeugPbkdf2Scheme: PasswordScheme = {
  id: 'werkzeug-pbkdf2',
  blocking: false,
  identify: ({ hash }) => hash.startsWith('pbkdf2:'),
  verify: async (password, { hash: text }, ctx) => {
    const { hash, rounds, salt, key } = parsePbkdf2(text);
    return verifyPbkdf2('werkzeug-pbkdf2', password, salt, rounds, hash, key, ctx);
  },
  toZitadel: ({ hash: text }) => orNull(() => {
    const { hash, rounds, salt, key } = parsePbkdf2(text);
    return pbkdf2String(hash, rounds, salt, key);
  }),
  dummy: () => ({ hash: `pbkdf2:sha256:600000$${randomHex(8)}$${randomHex(32)}` }),
};

// --- `scrypt:32768:8:1$salt$hex` (Werkzeug ≥ 2.3, 64-byte key).

const SCRYPT = /^scrypt:(\d+):(\d+):(\d+)\$([^$]*)\$([0-9a-fA-F]+)$/;

function parseScrypt(text: string) {
  const m = SCRYPT.exec(text);
  const logN = exactLog2(decimal(m?.[1]) ?? 0);
  const r = decimal(m?.[2]);
  const p = decimal(m?.[3]);
  const key = decodeHex(m?.[5] ?? '');
  if (!m || logN === undefined || r === undefined || p === undefined || !key || key.length !== 64) return malformed('werkzeug-scrypt', 'not a Werkzeug scrypt string');
  return { logN, r, p, salt: utf8(m[4] ?? ''), key };
}

export const werkzeugScryptScheme: PasswordScheme = {
  id: 'werkzeug-scrypt',
  blocking: false,
  identify: ({ hash }) => hash.startsWith('scrypt:'),
  verify: async (password, { hash }, ctx) => {
    const { salt, key, ...params } = parseScrypt(hash);
    return verifyScrypt('werkzeug-scrypt', password, salt, params, key, ctx);
  },
  toZitadel: ({ hash }) => orNull(() => {
    const { logN, r, p, salt, key } = parseScrypt(hash);
    return scryptString(logN, r, p, salt, key);
  }),
  dummy: () => ({ hash: `scrypt:32768:8:1$${randomHex(8)}$${randomHex(64)}` }),
};

// --- Werkzeug < 2.3 `sha1$salt$hex` = HMAC(key = salt, password); no salt means a plain digest.
// The same shape as Django's `sha1$…` with another construction: the configured order decides.

const HMAC = new RegExp(`^(${DIGESTS})\\$([^$]*)\\$([0-9a-fA-F]+)$`);

export const werkzeugHmacScheme: PasswordScheme = {
  id: 'werkzeug-hmac',
  blocking: false,
  identify: ({ hash }) => HMAC.test(hash),
  verify: async (password, { hash: text }) => {
    const m = HMAC.exec(text) ?? malformed('werkzeug-hmac', 'not a Werkzeug salted digest');
    const hash = m[1] as DigestName;
    const salt = m[2] ?? '';
    const computed = salt ? hmac(hash, utf8(salt), password) : digest(hash, password);
    return constantTimeEqual(computed, Buffer.from(m[3] ?? '', 'hex'));
  },
  // Unsalted md5 is a plain md5 digest, which ZITADEL's md5plain reads; an HMAC has no form ZITADEL reads.
  toZitadel: ({ hash: text }) => {
    const m = HMAC.exec(text);
    const digestBytes = m && m[1] === 'md5' && !m[2] ? decodeHex(m[3] ?? '') : undefined;
    return digestBytes ? md5PlainString(digestBytes) : null;
  },
  dummy: () => ({ hash: `sha256$${randomHex(4)}$${randomHex(32)}` }),
};
