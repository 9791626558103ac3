import { requireAtMost, requirePasswordWorkAtMost } from '../bounds.js';
import { crypt64Index } from '../encoding/crypt64.js';
import { constantTimeEqualText } from '../primitives/compare.js';
import { digest } from '../primitives/digest.js';
import { phpassChecksum } from '../primitives/phpass.js';
import type { PasswordScheme, SchemeContext } from '../scheme.js';
import { malformed, orNull, randomCrypt64 } from './support.js';

/** phpass (`$P$` WordPress < 6.8, `$H$` phpBB3), Drupal 7 `$S$`, and Drupal's upgraded `U$…`. */

interface PortableHash {
  readonly kind: 'P' | 'H' | 'S';
  readonly log2: number;
  readonly salt: string;
  readonly checksum: string;
}

// phpass and Drupal both refuse counts outside 2^7 … 2^30.
const MIN_LOG2 = 7;
const MAX_LOG2 = 30;

function parsePortable(scheme: string, hash: string, kinds: string): PortableHash {
  const m = /^\$([PHS])\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]+)$/.exec(hash);
  if (!m || !kinds.includes(m[1] ?? '')) return malformed(scheme, 'not a portable hash');
  const kind = m[1] as PortableHash['kind'];
  const checksum = m[4] ?? '';
  if (checksum.length !== (kind === 'S' ? 43 : 22)) malformed(scheme, 'checksum length');
  const log2 = crypt64Index(m[2]);
  if (log2 < MIN_LOG2 || log2 > MAX_LOG2) malformed(scheme, 'iteration count outside 2^7–2^30');
  return { kind, log2, salt: m[3] ?? '', checksum };
}

async function verifyPortable(scheme: string, password: Uint8Array, parsed: PortableHash, ctx: SchemeContext): Promise<boolean> {
  const sha512 = parsed.kind === 'S';
  const max = sha512 ? ctx.bounds.drupalMaxLog2 : ctx.bounds.phpassMaxLog2;
  requireAtMost(scheme, 'log2 iterations', parsed.log2, max);
  // Every iteration hashes the previous digest and the password.
  requirePasswordWorkAtMost(scheme, 2 ** parsed.log2, 2 ** max, password.length, (bytes) => (sha512 ? 64 : 16) + bytes);
  const computed = phpassChecksum(sha512 ? 'sha512' : 'md5', password, Buffer.from(parsed.salt, 'latin1'), parsed.log2);
  // Drupal stores 55 characters: the 12-character setting and 43 of the 86 checksum characters.
  return constantTimeEqualText(computed.slice(0, parsed.checksum.length), parsed.checksum);
}

export const phpassScheme: PasswordScheme = {
  id: 'phpass',
  blocking: true,
  identify: ({ hash }) => /^\$[PH]\$/.test(hash),
  verify: async (password, { hash }, ctx) => verifyPortable('phpass', password, parsePortable('phpass', hash, 'PH'), ctx),
  toZitadel: ({ hash }) => orNull(() => (parsePortable('phpass', hash, 'PH'), hash)),
  dummy: () => ({ hash: `$P$B${randomCrypt64(30)}` }),
};

export const drupal7Scheme: PasswordScheme = {
  id: 'drupal7',
  blocking: true,
  identify: ({ hash }) => hash.startsWith('$S$'),
  verify: async (password, { hash }, ctx) => verifyPortable('drupal7', password, parsePortable('drupal7', hash, 'S'), ctx),
  toZitadel: ({ hash }) => orNull(() => (parsePortable('drupal7', hash, 'S'), hash)),
  dummy: () => ({ hash: `$S$D${randomCrypt64(51)}` }),
};

/** Drupal 7 re-hashed Drupal 6's md5 hex in place: `U` + portable hash of md5(password) in hex. */
export const drupal7UpgradedMd5Scheme: PasswordScheme = {
  id: 'drupal7-upgraded-md5',
  blocking: true,
  identify: ({ hash }) => /^U\$[SPH]\$/.test(hash),
  verify: async (password, { hash }, ctx) => {
    const id = 'drupal7-upgraded-md5';
    const parsed = parsePortable(id, hash.slice(1), 'SPH');
    return verifyPortable(id, Buffer.from(digest('md5', password).toString('hex'), 'latin1'), parsed, ctx);
  },
  toZitadel: () => null,
  dummy: () => ({ hash: `U$S$D${randomCrypt64(51)}` }),
};
