import { randomBytes } from 'node:crypto';
import { decodeBase64 } from '../encoding/base64.js';
import { pbkdf2String } from '../encoding/passwap.js';
import type { PasswordScheme } from '../scheme.js';
import { verifyPbkdf2 } from './pbkdf2.js';
import { malformed, orNull } from './support.js';

/** Atlassian Crowd/Jira/Confluence `{PKCS5S2}base64(salt16 ‖ key32)`, PBKDF2-HMAC-SHA1, 10 000 rounds. */

function parse(hash: string): { salt: Buffer; key: Buffer } {
  const bytes = hash.startsWith('{PKCS5S2}') ? decodeBase64(hash.slice(9)) : undefined;
  if (!bytes || bytes.length !== 48) return malformed('atlassian-pbkdf2-sha1', 'not a {PKCS5S2} value');
  return { salt: bytes.subarray(0, 16), key: bytes.subarray(16) };
}

export const atlassianPbkdf2Sha1Scheme: PasswordScheme = {
  id: 'atlassian-pbkdf2-sha1',
  blocking: false,
  identify: ({ hash }) => hash.startsWith('{PKCS5S2}'),
  verify: async (password, { hash }, ctx) => {
    const { salt, key } = parse(hash);
    return verifyPbkdf2('atlassian-pbkdf2-sha1', password, salt, 10_000, 'sha1', key, ctx);
  },
  toZitadel: ({ hash }) => orNull(() => {
    const { salt, key } = parse(hash);
    return pbkdf2String('sha1', 10_000, salt, key);
  }),
  dummy: () => ({ hash: `{PKCS5S2}${randomBytes(48).toString('base64')}` }),
};
