/**
 * Traditional DES crypt(3): the first 8 bytes of the password (7 bits each) form a DES key that
 * encrypts a zero block 25 times, with the 12-bit salt swapping bits of the E expansion. Written
 * bit by bit after the Seventh Edition source: it is small, obviously table-driven, and fast enough
 * for 25 encryptions.
 */

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25,
  17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const FP = [
  40, 8, 48, 16, 56, 24, 64, 32, 39, 7, 47, 15, 55, 23, 63, 31, 38, 6, 46, 14, 54, 22, 62, 30, 37, 5, 45, 13, 53, 21, 61, 29, 36, 4, 44, 12, 52,
  20, 60, 28, 35, 3, 43, 11, 51, 19, 59, 27, 34, 2, 42, 10, 50, 18, 58, 26, 33, 1, 41, 9, 49, 17, 57, 25,
];
const PC1_C = [57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36];
const PC1_D = [63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const PC2_C = [14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2];
const PC2_D = [41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32];
const E = [
  32, 1, 2, 3, 4, 5, 4, 5, 6, 7, 8, 9, 8, 9, 10, 11, 12, 13, 12, 13, 14, 15, 16, 17, 16, 17, 18, 19, 20, 21, 20, 21, 22, 23, 24, 25, 24, 25, 26,
  27, 28, 29, 28, 29, 30, 31, 32, 1,
];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25];
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

const SALT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function keySchedule(key: number[]): number[][] {
  const c = PC1_C.map((bit) => key[bit - 1] ?? 0);
  const d = PC1_D.map((bit) => key[bit - 1] ?? 0);
  const schedule: number[][] = [];
  for (const shift of SHIFTS) {
    for (let k = 0; k < shift; k++) {
      c.push(c.shift() ?? 0);
      d.push(d.shift() ?? 0);
    }
    schedule.push([...PC2_C.map((bit) => c[bit - 1] ?? 0), ...PC2_D.map((bit) => d[bit - 29] ?? 0)]);
  }
  return schedule;
}

function encryptBlock(block: number[], schedule: number[][], expansion: number[]): number[] {
  const lr = IP.map((bit) => block[bit - 1] ?? 0);
  let left = lr.slice(0, 32);
  let right = lr.slice(32);
  const f = new Array<number>(32);
  for (const subkey of schedule) {
    const pre = expansion.map((bit, j) => (right[bit - 1] ?? 0) ^ (subkey[j] ?? 0));
    for (let j = 0; j < 8; j++) {
      const t = 6 * j;
      const b = (i: number): number => pre[t + i] ?? 0;
      const k = S[j]?.[(b(0) << 5) | (b(5) << 4) | (b(1) << 3) | (b(2) << 2) | (b(3) << 1) | b(4)] ?? 0;
      for (let i = 0; i < 4; i++) f[4 * j + i] = (k >> (3 - i)) & 1;
    }
    const next = P.map((bit, j) => (left[j] ?? 0) ^ (f[bit - 1] ?? 0));
    left = right;
    right = next;
  }
  const swapped = [...right, ...left];
  return FP.map((bit) => swapped[bit - 1] ?? 0);
}

/** The 11-character checksum that follows the two salt characters. */
export function desCryptChecksum(password: Uint8Array, salt: string): string {
  const key = new Array<number>(64).fill(0);
  for (let i = 0; i < 8 && i < password.length; i++) {
    const byte = password[i] ?? 0;
    if (byte === 0) break;
    for (let j = 0; j < 7; j++) key[8 * i + j] = (byte >> (6 - j)) & 1;
  }
  const schedule = keySchedule(key);
  const expansion = [...E];
  for (let i = 0; i < 2; i++) {
    const value = Math.max(0, SALT_ALPHABET.indexOf(salt[i] ?? '.'));
    for (let j = 0; j < 6; j++) {
      if ((value >> j) & 1) {
        const a = 6 * i + j;
        [expansion[a], expansion[a + 24]] = [expansion[a + 24] ?? 0, expansion[a] ?? 0];
      }
    }
  }
  let block = new Array<number>(64).fill(0);
  for (let i = 0; i < 25; i++) block = encryptBlock(block, schedule, expansion);
  block.push(0, 0);
  let out = '';
  for (let i = 0; i < 11; i++) {
    let c = 0;
    for (let j = 0; j < 6; j++) c = (c << 1) | (block[6 * i + j] ?? 0);
    out += SALT_ALPHABET[c];
  }
  return out;
}
