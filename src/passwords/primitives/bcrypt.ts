import bcrypt from 'bcrypt';
import { constantTimeEqualText } from './compare.js';

/**
 * Native bcrypt on libuv's pool. `$2a$`, `$2b$` and `$2y$` compute the same function here (the
 * OpenBSD `$2a$` length wrap-around at 256 bytes never reaches a 72-byte key); the package only
 * answers for `$2a$`/`$2b$`, so the prefix is normalised to `$2b$` first.
 */

export const BCRYPT = /^\$2([abxy])\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

export interface BcryptParts {
  readonly minor: 'a' | 'b' | 'x' | 'y';
  readonly cost: number;
  readonly salt: string;
  readonly checksum: string;
}

export function parseBcrypt(hash: string): BcryptParts | undefined {
  const m = BCRYPT.exec(hash);
  if (!m) return undefined;
  return { minor: m[1] as BcryptParts['minor'], cost: Number(m[2]), salt: m[3] ?? '', checksum: m[4] ?? '' };
}

export async function bcryptCompare(password: Uint8Array, parts: BcryptParts): Promise<boolean> {
  const settings = `$2b$${String(parts.cost).padStart(2, '0')}$${parts.salt}`;
  // The package's compare() ends with strcmp; hashing with the same settings and comparing here takes
  // the same work and leaks nothing through the time the comparison takes.
  const computed = await bcrypt.hash(Buffer.from(password), settings);
  return constantTimeEqualText(computed, `${settings}${parts.checksum}`);
}

export function bcryptHash(password: Uint8Array, cost: number): Promise<string> {
  return bcrypt.hash(Buffer.from(password), cost);
}
