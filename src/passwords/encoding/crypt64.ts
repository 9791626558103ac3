/**
 * The crypt(3) base64 alphabet (`./0-9A-Za-z`) with the little-endian bit order of phpass, Drupal,
 * md5-crypt and sha-crypt ("hash64" in passlib). Schemes that need a byte order of their own
 * permute the bytes first.
 */

export const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function encodeCrypt64(bytes: Uint8Array): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value |= byte << bits;
    bits += 8;
    while (bits >= 6) {
      out += CRYPT64[value & 63];
      value >>>= 6;
      bits -= 6;
    }
  }
  if (bits > 0) out += CRYPT64[value & 63];
  return out;
}

/** Index of one crypt64 character, -1 when it is not one. */
export function crypt64Index(char: string | undefined): number {
  return char === undefined || char.length !== 1 ? -1 : CRYPT64.indexOf(char);
}

export function isCrypt64(text: string): boolean {
  return /^[./0-9A-Za-z]*$/.test(text);
}
