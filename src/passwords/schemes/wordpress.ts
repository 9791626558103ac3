import { hmac } from '../primitives/digest.js';
import type { PasswordScheme } from '../scheme.js';
import { bcryptDummy, parseBcryptFor, verifyBcryptParts } from './bcrypt.js';

/** WordPress ≥ 6.8: `$wp` + bcrypt of base64(HMAC-SHA384(key "wp-sha384", password)). */

const ID = 'wordpress-bcrypt';

export const wordpressBcryptScheme: PasswordScheme = {
  id: ID,
  blocking: false,
  identify: ({ hash }) => /^\$wp\$2[aby]\$/.test(hash),
  verify: async (password, { hash }, ctx) => {
    const parts = parseBcryptFor(ID, hash.slice(3), ['a', 'b', 'y']);
    const prehash = Buffer.from(hmac('sha384', Buffer.from('wp-sha384'), password).toString('base64'), 'latin1');
    return verifyBcryptParts(ID, prehash, parts, ctx);
  },
  // ZITADEL would need the pre-hash.
  toZitadel: () => null,
  dummy: () => bcryptDummy('$wp'),
};
