import { constantTimeEqual } from '../primitives/compare.js';
import { digest } from '../primitives/digest.js';
import type { PasswordScheme } from '../scheme.js';
import { malformed, randomHex } from './support.js';

/** MySQL 4.1+ / MariaDB `PASSWORD()` (mysql_native_password): `*` + hex(sha1(sha1(password))). */

const MYSQL41 = /^\*([0-9a-fA-F]{40})$/;

export const mysql41Scheme: PasswordScheme = {
  id: 'mysql41',
  blocking: false,
  identify: ({ hash }) => MYSQL41.test(hash),
  verify: async (password, { hash }) => {
    const m = MYSQL41.exec(hash) ?? malformed('mysql41', 'not * and 40 hex digits');
    return constantTimeEqual(digest('sha1', digest('sha1', password)), Buffer.from(m[1] ?? '', 'hex'));
  },
  toZitadel: () => null,
  dummy: () => ({ hash: `*${randomHex(20).toUpperCase()}` }),
};
