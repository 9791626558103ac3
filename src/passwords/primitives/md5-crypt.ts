import { createHash } from 'node:crypto';
import { encodeCrypt64 } from '../encoding/crypt64.js';

/** md5-crypt (P.-H. Kamp's FreeBSD `$1$`), also Apache's `$apr1$`, which only changes the magic string. */

const ORDER = [12, 6, 0, 13, 7, 1, 14, 8, 2, 15, 9, 3, 5, 10, 4, 11];

/** The checksum part for a password and a salt (at most 8 bytes, as crypt truncates it). */
export function md5CryptChecksum(magic: '$1$' | '$apr1$', password: Uint8Array, salt: Uint8Array): string {
  const pw = Buffer.from(password);
  const alternate = createHash('md5').update(pw).update(salt).update(pw).digest();
  const ctx = createHash('md5').update(pw).update(magic).update(salt);
  for (let left = pw.length; left > 0; left -= 16) ctx.update(alternate.subarray(0, Math.min(16, left)));
  for (let i = pw.length; i > 0; i >>= 1) ctx.update(i & 1 ? Buffer.of(0) : pw.subarray(0, 1));
  let hash = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const round = createHash('md5');
    round.update(i & 1 ? pw : hash);
    if (i % 3) round.update(salt);
    if (i % 7) round.update(pw);
    round.update(i & 1 ? hash : pw);
    hash = round.digest();
  }
  return encodeCrypt64(Buffer.from(ORDER.map((index) => hash[index] ?? 0)));
}
