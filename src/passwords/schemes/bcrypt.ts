import { javascriptBcryptMaxCost, requireAtMost } from '../bounds.js';
import { bcryptCompare, parseBcrypt, type BcryptParts } from '../primitives/bcrypt.js';
import { bcryptBuggyCompare } from '../primitives/bcrypt-js.js';
import type { PasswordScheme, SchemeContext, StoredCredential } from '../scheme.js';
import { malformed, randomCrypt64 } from './support.js';

/** bcrypt as PHP, Laravel, Rails, Spring, OpenBSD and htpasswd write it, and the `$2x$` marker. */

export function parseBcryptFor(scheme: string, hash: string, minors: readonly string[]): BcryptParts {
  const parts = parseBcrypt(hash);
  if (!parts || !minors.includes(parts.minor)) return malformed(scheme, 'not a bcrypt string');
  if (parts.cost < 4 || parts.cost > 31) return malformed(scheme, 'cost outside 4–31');
  return parts;
}

/** `$2x$` with an 8-bit password: only the JavaScript implementation has crypt_blowfish's bug. */
function needsJavaScript(minor: BcryptParts['minor'], password: Uint8Array): boolean {
  // On 7-bit input the bug changes nothing, so the native implementation answers for `$2x$` too.
  return minor === 'x' && password.some((byte) => byte >= 0x80);
}

/** Verify against parsed bcrypt parts after the cost check; `$2x$` keeps crypt_blowfish's 8-bit bug. */
export function verifyBcryptParts(scheme: string, password: Uint8Array, parts: BcryptParts, ctx: SchemeContext): Promise<boolean> {
  requireAtMost(scheme, 'cost', parts.cost, ctx.bounds.bcryptMaxCost);
  if (needsJavaScript(parts.minor, password)) {
    requireAtMost(scheme, 'cost (JavaScript bcrypt, for an 8-bit password)', parts.cost, javascriptBcryptMaxCost(ctx.bounds));
    return bcryptBuggyCompare(password, parts);
  }
  return bcryptCompare(password, parts);
}

export function bcryptDummy(prefix = ''): StoredCredential {
  return { hash: `${prefix}$2b$10$${randomCrypt64(53).replace(/.$/, '.')}` };
}

export const bcryptScheme: PasswordScheme = {
  id: 'bcrypt',
  blocking: false,
  identify: ({ hash }) => /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash),
  verify: async (password, { hash }, ctx) => verifyBcryptParts('bcrypt', password, parseBcryptFor('bcrypt', hash, ['a', 'b', 'y']), ctx),
  toZitadel: ({ hash }) => (parseBcrypt(hash) ? hash : null),
  dummy: () => bcryptDummy(),
};

export const bcrypt2xScheme: PasswordScheme = {
  id: 'bcrypt-2x',
  blocking: (password) => needsJavaScript('x', password),
  identify: ({ hash }) => /^\$2x\$\d\d\$[./A-Za-z0-9]{53}$/.test(hash),
  verify: async (password, { hash }, ctx) => verifyBcryptParts('bcrypt-2x', password, parseBcryptFor('bcrypt-2x', hash, ['x']), ctx),
  // ZITADEL refuses `$2x$`, and relabelling would change the meaning for 8-bit passwords.
  toZitadel: () => null,
  dummy: () => ({ hash: bcryptDummy().hash.replace('$2b$', '$2x$') }),
};
