import { randomBytes } from 'node:crypto';
import { CRYPT64 } from '../encoding/crypt64.js';
import { HashFormatError } from '../scheme.js';

/** Small helpers every scheme module shares. */

export function malformed(scheme: string, detail: string): never {
  throw new HashFormatError(scheme, detail);
}

/** Run `fn`, turning a primitive's own parameter complaint into `HashFormatError`. */
export async function primitive<T>(scheme: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof HashFormatError) throw error;
    throw new HashFormatError(scheme, 'parameters rejected by the primitive');
  }
}

export function randomCrypt64(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += CRYPT64[byte & 63];
  return out;
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The safe integer a decimal parameter spells, or `undefined`. */
export function decimal(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

/** log2 of an exact power of two above 1, or `undefined`. */
export function exactLog2(n: number): number | undefined {
  if (!Number.isSafeInteger(n) || n < 2) return undefined;
  const log = Math.round(Math.log2(n));
  return 2 ** log === n ? log : undefined;
}

/** `fn()`, or `null` when the stored value cannot be parsed: a hand-off is then simply not possible. */
export function orNull<T>(fn: () => T | null): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
