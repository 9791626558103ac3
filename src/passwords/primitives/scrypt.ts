import { scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

/** The size of scrypt's big array V, 128·r·N bytes: what a memory cap is about. */
export function scryptMemoryBytes(params: Pick<ScryptParams, 'logN' | 'r'>): number {
  return 128 * params.r * 2 ** params.logN;
}

/** scrypt on libuv's thread pool; the caller has bounded the parameters already. */
export function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    // V plus the small B and X arrays, with room to spare.
    maxmem: scryptMemoryBytes(params) + 256 * params.r * (params.p + 2) + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
