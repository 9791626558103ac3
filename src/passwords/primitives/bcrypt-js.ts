import { constantTimeEqual } from './compare.js';
import { blowfishInit } from './blowfish-init.js';
import type { BcryptParts } from './bcrypt.js';

/**
 * bcrypt in JavaScript, only for `$2x$`: crypt_blowfish before 1.1 (CVE-2011-2483) sign-extended
 * bytes ≥ 0x80 while expanding the key, and `$2x$` asks to reproduce exactly that. Everything else
 * is standard EksBlowfish, so the same code with the bug off must match the native library.
 */

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MAGIC = 'OrpheanBeholderScryDoubt';

function decodeBcrypt64(text: string, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let value = 0;
  let bits = 0;
  let n = 0;
  for (const char of text) {
    value = (value << 6) | Math.max(0, ALPHABET.indexOf(char));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < bytes) out[n++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

function encodeBcrypt64(bytes: Uint8Array): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffffff;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(value >> bits) & 63];
    }
  }
  if (bits > 0) out += ALPHABET[(value << (6 - bits)) & 63];
  return out;
}

/** The 18 key words, cycling over the password and its terminating NUL; `bug` sign-extends bytes. */
export function keyWords(password: Uint8Array, bug: boolean): Uint32Array {
  const key = [...password, 0];
  const words = new Uint32Array(18);
  let at = 0;
  for (let i = 0; i < 18; i++) {
    let word = 0;
    for (let j = 0; j < 4; j++) {
      const byte = key[at] ?? 0;
      word = bug && byte >= 0x80 ? ((word << 8) | byte | 0xffffff00) >>> 0 : ((word << 8) | byte) >>> 0;
      at = (at + 1) % key.length;
    }
    words[i] = word;
  }
  return words;
}

class Eks {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  private readonly lr = new Uint32Array(2);

  constructor() {
    const init = blowfishInit();
    this.p = init.slice(0, 18);
    this.s = init.slice(18);
  }

  encipher(left: number, right: number): Uint32Array {
    const { p, s, lr } = this;
    let l = left;
    let r = right;
    for (let i = 0; i < 16; i += 2) {
      l ^= p[i] ?? 0;
      r ^= ((((s[l >>> 24] ?? 0) + (s[256 | ((l >>> 16) & 0xff)] ?? 0)) ^ (s[512 | ((l >>> 8) & 0xff)] ?? 0)) + (s[768 | (l & 0xff)] ?? 0)) >>> 0;
      r ^= p[i + 1] ?? 0;
      l ^= ((((s[r >>> 24] ?? 0) + (s[256 | ((r >>> 16) & 0xff)] ?? 0)) ^ (s[512 | ((r >>> 8) & 0xff)] ?? 0)) + (s[768 | (r & 0xff)] ?? 0)) >>> 0;
    }
    lr[0] = (r ^ (p[17] ?? 0)) >>> 0;
    lr[1] = (l ^ (p[16] ?? 0)) >>> 0;
    return lr;
  }

  /** XOR `key` into P, then re-encrypt P and S in place, mixing in `salt` words when given. */
  expand(key: Uint32Array, salt?: Uint32Array): void {
    for (let i = 0; i < 18; i++) this.p[i] = ((this.p[i] ?? 0) ^ (key[i % key.length] ?? 0)) >>> 0;
    let l = 0;
    let r = 0;
    let j = 0;
    const fill = (table: Uint32Array): void => {
      for (let i = 0; i < table.length; i += 2) {
        if (salt) {
          l ^= salt[j % 4] ?? 0;
          r ^= salt[(j + 1) % 4] ?? 0;
          j += 2;
        }
        const out = this.encipher(l, r);
        l = out[0] ?? 0;
        r = out[1] ?? 0;
        table[i] = l;
        table[i + 1] = r;
      }
    };
    fill(this.p);
    fill(this.s);
  }
}

function words(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = (((bytes[4 * i] ?? 0) << 24) | ((bytes[4 * i + 1] ?? 0) << 16) | ((bytes[4 * i + 2] ?? 0) << 8) | (bytes[4 * i + 3] ?? 0)) >>> 0;
  return out;
}

/** The 31-character checksum for a password, a 22-character salt and a cost. */
export function bcryptJsChecksum(password: Uint8Array, salt: string, cost: number, bug: boolean): string {
  const key = keyWords(password, bug);
  const saltWords = words(decodeBcrypt64(salt, 16));
  const state = new Eks();
  state.expand(key, saltWords);
  for (let round = 2 ** cost; round > 0; round--) {
    state.expand(key);
    state.expand(saltWords);
  }
  const text = words(Buffer.from(MAGIC, 'latin1'));
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 6; j += 2) {
      const out = state.encipher(text[j] ?? 0, text[j + 1] ?? 0);
      text[j] = out[0] ?? 0;
      text[j + 1] = out[1] ?? 0;
    }
  }
  const raw = Buffer.alloc(24);
  text.forEach((word, i) => raw.writeUInt32BE(word, 4 * i));
  return encodeBcrypt64(raw.subarray(0, 23));
}

/** `$2x$` compare with the sign-extension bug, for passwords with 8-bit bytes. */
export async function bcryptBuggyCompare(password: Uint8Array, parts: BcryptParts): Promise<boolean> {
  const checksum = bcryptJsChecksum(password, parts.salt, parts.cost, true);
  return constantTimeEqual(Buffer.from(checksum), Buffer.from(parts.checksum));
}
