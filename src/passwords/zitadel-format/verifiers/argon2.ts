import { argon2Raw } from '../../primitives/argon2.js';
import { constantTimeEqual } from '../../primitives/compare.js';
import { fields, goUint, rawStdStrict } from '../scan.js';
import { above, outside, type ZitadelVerifierSpec } from '../types.js';

/** passwap argon2: `$argon2i$` / `$argon2id$`, version 19 only, strict unpadded base64; argon2d refused. */
export const argon2Verifier: ZitadelVerifierSpec = {
  name: 'argon2',
  parse(encoded) {
    if (!encoded.startsWith('$argon2')) return undefined;
    const [id, version, costs, saltText, hashText] = fields(encoded);
    if (id !== 'argon2i' && id !== 'argon2id') return undefined;
    const v = /^v=(\d+)$/.exec(version ?? '');
    const c = /^m=(\d+),t=(\d+),p=(\d+)$/.exec(costs ?? '');
    const memory = goUint(c?.[1], 32);
    const time = goUint(c?.[2], 32);
    const threads = goUint(c?.[3], 8);
    const salt = rawStdStrict(saltText ?? '');
    const hash = rawStdStrict(hashText ?? '');
    if (v?.[1] !== '19' || memory === undefined || time === undefined || threads === undefined || !salt || !hash) return undefined;
    return {
      verifier: 'argon2',
      params: { time, memoryKiB: memory, threads },
      outOfLimits: ({ argon2: l }) =>
        outside('time', time, l.minTime, l.maxTime) ??
        outside('memory', memory, l.minMemoryKiB, l.maxMemoryKiB) ??
        outside('threads', threads, l.minThreads, l.maxThreads),
      overBounds: (b) =>
        above('memory', memory, b.argon2MaxMemoryKiB) ?? above('time', time, b.argon2MaxTime) ?? above('threads', threads, b.argon2MaxParallelism),
      async verify(password) {
        try {
          const computed = await argon2Raw(password, { type: id, version: 19, memoryKiB: memory, time, parallelism: threads, salt, outputLength: hash.length });
          return constantTimeEqual(computed, hash);
        } catch {
          return false;
        }
      },
    };
  },
};
