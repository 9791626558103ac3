import { hashRaw } from '@node-rs/argon2';

/** Raw argon2 on libuv's pool (numeric literals: the package's enums are `const`). */

export type Argon2Type = 'argon2d' | 'argon2i' | 'argon2id';

const ALGORITHM = { argon2d: 0, argon2i: 1, argon2id: 2 } as const;

export interface Argon2Params {
  readonly type: Argon2Type;
  /** 0x13 (19) or 0x10 (16). */
  readonly version: 16 | 19;
  readonly memoryKiB: number;
  readonly time: number;
  readonly parallelism: number;
  readonly salt: Uint8Array;
  readonly outputLength: number;
}

export function argon2Raw(password: Uint8Array, params: Argon2Params): Promise<Buffer> {
  return hashRaw(password, {
    algorithm: ALGORITHM[params.type],
    version: params.version === 19 ? 1 : 0,
    memoryCost: params.memoryKiB,
    timeCost: params.time,
    parallelism: params.parallelism,
    salt: params.salt,
    outputLen: params.outputLength,
  });
}
