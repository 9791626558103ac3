import { createHash, randomBytes } from 'node:crypto';
import { decodeBase64 } from '../encoding/base64.js';
import { decodeHex } from '../encoding/hex.js';
import { pbkdf2String, scryptString } from '../encoding/passwap.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { utf8, type DigestName } from '../primitives/digest.js';
import type { PasswordScheme, SchemeContext } from '../scheme.js';
import { argon2Dummy, argon2ToZitadel, parseArgon2, verifyArgon2 } from './argon2.js';
import { bcryptDummy, parseBcryptFor, verifyBcryptParts } from './bcrypt.js';
import { verifyPbkdf2 } from './pbkdf2.js';
import { verifyScrypt } from './scrypt.js';
import { malformed, orNull, randomHex } from './support.js';

/** Spring Security's DelegatingPasswordEncoder: `{id}encoded`, `@SpringSecurity_v5_8` picks newer defaults. */

const V58 = '@SpringSecurity_v5_8';

function delegated(id: string, text: string): { modern: boolean; body: string } | undefined {
  const m = new RegExp(`^\\{${id}(${V58})?\\}([\\s\\S]*)$`).exec(text);
  return m ? { modern: m[1] !== undefined, body: m[2] ?? '' } : undefined;
}

function bodyOf(scheme: string, id: string, text: string): { modern: boolean; body: string } {
  return delegated(id, text) ?? malformed(scheme, `not a {${id}} value`);
}

// --- {bcrypt}, {argon2}: the library's own string behind the prefix.

export const springBcryptScheme: PasswordScheme = {
  id: 'spring-bcrypt',
  blocking: false,
  identify: ({ hash }) => /^\{bcrypt\}\$2[aby]\$/.test(hash),
  verify: async (password, { hash }, ctx) => verifyBcryptParts('spring-bcrypt', password, parseBcryptFor('spring-bcrypt', hash.slice(8), ['a', 'b', 'y']), ctx),
  toZitadel: ({ hash }) => orNull(() => (parseBcryptFor('spring-bcrypt', hash.slice(8), ['a', 'b', 'y']), hash.slice(8))),
  dummy: () => bcryptDummy('{bcrypt}'),
};

export const springArgon2Scheme: PasswordScheme = {
  id: 'spring-argon2',
  blocking: false,
  identify: ({ hash }) => delegated('argon2', hash)?.body.startsWith('$argon2') === true,
  verify: async (password, { hash }, ctx) =>
    verifyArgon2('spring-argon2', password, parseArgon2('spring-argon2', bodyOf('spring-argon2', 'argon2', hash).body), ctx),
  toZitadel: ({ hash }) => orNull(() => argon2ToZitadel(parseArgon2('spring-argon2', bodyOf('spring-argon2', 'argon2', hash).body))),
  dummy: () => ({ hash: `{argon2${V58}}${argon2Dummy('argon2id').replace('m=19456,t=2', 'm=16384,t=2')}` }),
};

// --- {noop}: plaintext, compared in constant time.

export const springNoopScheme: PasswordScheme = {
  id: 'spring-noop',
  blocking: false,
  identify: ({ hash }) => hash.startsWith('{noop}'),
  verify: async (password, { hash }) => constantTimeEqual(password, utf8(bodyOf('spring-noop', 'noop', hash).body)),
  toZitadel: () => null,
  dummy: () => ({ hash: `{noop}${randomHex(16)}` }),
};

// --- {pbkdf2}: hex(salt ‖ PBKDF2(password, salt ‖ secret)); the parameters are not in the string.

interface SpringPbkdf2Settings {
  readonly secret: string;
  readonly iterations: number;
  readonly saltLength: number;
  readonly hash: DigestName;
}

function pbkdf2Settings(modern: boolean, ctx: SchemeContext): SpringPbkdf2Settings {
  // Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_5 / _v5_8; configured values take precedence.
  const defaults: SpringPbkdf2Settings = modern
    ? { secret: '', iterations: 310_000, saltLength: 16, hash: 'sha256' }
    : { secret: '', iterations: 185_000, saltLength: 8, hash: 'sha1' };
  const configured = ctx.options.springPbkdf2 ?? {};
  return {
    secret: configured.secret ?? defaults.secret,
    iterations: configured.iterations ?? defaults.iterations,
    saltLength: configured.saltLength ?? defaults.saltLength,
    hash: configured.algorithm ?? defaults.hash,
  };
}

function parseSpringPbkdf2(text: string, ctx: SchemeContext) {
  const { modern, body } = bodyOf('spring-pbkdf2', 'pbkdf2', text);
  const settings = pbkdf2Settings(modern, ctx);
  const bytes = decodeHex(body);
  // Spring derives 256-bit keys by default: less is a truncated hash, whose prefix PBKDF2 would match.
  if (!bytes || bytes.length < settings.saltLength + 32) return malformed('spring-pbkdf2', 'not a hex salt and 256-bit key');
  return { settings, salt: bytes.subarray(0, settings.saltLength), key: bytes.subarray(settings.saltLength) };
}

export const springPbkdf2Scheme: PasswordScheme = {
  id: 'spring-pbkdf2',
  blocking: false,
  identify: ({ hash }) => /^[0-9a-fA-F]+$/.test(delegated('pbkdf2', hash)?.body ?? ''),
  verify: async (password, { hash }, ctx) => {
    const { settings, salt, key } = parseSpringPbkdf2(hash, ctx);
    const mixed = Buffer.concat([salt, utf8(settings.secret)]);
    return verifyPbkdf2('spring-pbkdf2', password, mixed, settings.iterations, settings.hash, key, ctx);
  },
  toZitadel: ({ hash }, ctx) => orNull(() => {
    const { settings, salt, key } = parseSpringPbkdf2(hash, ctx);
    // ZITADEL has no place for the secret.
    return settings.secret ? null : pbkdf2String(settings.hash, settings.iterations, salt, key);
  }),
  dummy: () => ({ hash: `{pbkdf2${V58}}${randomHex(48)}` }),
};

// --- {sha256}: StandardPasswordEncoder, hex(salt8 ‖ SHA-256^1024(salt ‖ secret ‖ password)).
// Applications that used the encoder directly stored the same hex without the prefix.

const SHA256_BODY = /^[0-9a-fA-F]{80}$/;

function sha256Body(hash: string): string | undefined {
  const body = delegated('sha256', hash)?.body ?? hash;
  return SHA256_BODY.test(body) ? body : undefined;
}

export const springSha256Scheme: PasswordScheme = {
  id: 'spring-sha256',
  blocking: true,
  identify: ({ hash }) => sha256Body(hash) !== undefined,
  verify: async (password, { hash }, ctx) => {
    const bytes = Buffer.from(sha256Body(hash) ?? malformed('spring-sha256', 'not 80 hex digits'), 'hex');
    const salt = bytes.subarray(0, 8);
    let digest = createHash('sha256').update(salt).update(utf8(ctx.options.springSha256?.secret ?? '')).update(password).digest();
    for (let i = 1; i < 1024; i++) digest = createHash('sha256').update(digest).digest();
    return constantTimeEqual(digest, bytes.subarray(8));
  },
  toZitadel: () => null,
  dummy: () => ({ hash: `{sha256}${randomHex(40)}` }),
};

// --- {scrypt}: `$hex(log2N << 16 | r << 8 | p)$base64(salt)$base64(key)`.

function parseSpringScrypt(text: string) {
  const { body } = bodyOf('spring-scrypt', 'scrypt', text);
  const m = /^\$([0-9a-fA-F]{1,8})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/.exec(body);
  const salt = decodeBase64(m?.[2] ?? '');
  const key = decodeBase64(m?.[3] ?? '');
  if (!m || !salt || !key || key.length < 32) return malformed('spring-scrypt', 'not a Spring scrypt value');
  const params = Number.parseInt(m[1] ?? '', 16);
  return { logN: (params >> 16) & 0xffff, r: (params >> 8) & 0xff, p: params & 0xff, salt, key };
}

export const springScryptScheme: PasswordScheme = {
  id: 'spring-scrypt',
  blocking: false,
  identify: ({ hash }) => delegated('scrypt', hash)?.body.startsWith('$') === true,
  verify: async (password, { hash }, ctx) => {
    const { salt, key, ...params } = parseSpringScrypt(hash);
    return verifyScrypt('spring-scrypt', password, salt, params, key, ctx);
  },
  toZitadel: ({ hash }) => orNull(() => {
    const { logN, r, p, salt, key } = parseSpringScrypt(hash);
    return scryptString(logN, r, p, salt, key);
  }),
  dummy: () => ({ hash: `{scrypt${V58}}$100801$${randomBytes(16).toString('base64')}$${randomBytes(32).toString('base64')}` }),
};
