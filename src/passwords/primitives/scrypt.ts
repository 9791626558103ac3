import { scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';

export interface ScryptParams {
  readonly logN: number;
  readonly r: number;
  readonly p: number;
  readonly keyLength: number;
}

/** Bytes scrypt allocates: V (128·r·N) plus B (128·r·p). */
export function scryptMemoryBytes(params: Pick<ScryptParams, 'logN' | 'r' | 'p'>): number {
  return 128 * params.r * (2 ** params.logN + 2) + 128 * params.r * params.p;
}

/** scrypt on libuv's thread pool; the caller has bounded the parameters already. */
export function scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    maxmem: scryptMemoryBytes(params) + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scryptCallback(password, salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
