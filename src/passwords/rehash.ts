import { hash as argon2Hash } from '@node-rs/argon2';
import type { HandOffConfig } from './config.js';
import { bcryptHash } from './primitives/bcrypt.js';
import type { ZitadelVerifier } from './zitadel-format/limits.js';

/**
 * A fresh hash of a just-verified password, in a format the target ZITADEL verifies: the preferred
 * algorithm if its verifier is enabled, else the other; never bcrypt for passwords over 72 bytes
 * (Go's bcrypt refuses to hash them and would only ever check their first 72 bytes).
 */

export type RehashAlgorithm = 'argon2id' | 'bcrypt';

const VERIFIER: Readonly<Record<RehashAlgorithm, ZitadelVerifier>> = { argon2id: 'argon2', bcrypt: 'bcrypt' };

export function chooseRehash(
  rehash: HandOffConfig['rehash'],
  verifiers: readonly ZitadelVerifier[],
  passwordBytes: number,
): { algorithm: RehashAlgorithm } | { reason: string } {
  const order: RehashAlgorithm[] = rehash.algorithm === 'bcrypt' ? ['bcrypt', 'argon2id'] : ['argon2id', 'bcrypt'];
  const usable = order.filter((algorithm) => verifiers.includes(VERIFIER[algorithm]) && (algorithm !== 'bcrypt' || passwordBytes <= 72));
  const algorithm = usable[0];
  if (algorithm) return { algorithm };
  if (passwordBytes > 72 && verifiers.includes('bcrypt')) return { reason: 'the password is over 72 bytes and ZITADEL has no argon2 verifier enabled' };
  return { reason: 'ZITADEL has neither the bcrypt nor the argon2 verifier enabled' };
}

export function rehashPassword(password: Uint8Array, algorithm: RehashAlgorithm, rehash: HandOffConfig['rehash']): Promise<string> {
  if (algorithm === 'bcrypt') return bcryptHash(password, rehash.bcryptCost);
  return argon2Hash(password, {
    algorithm: 2,
    memoryCost: rehash.argon2.memoryKiB,
    timeCost: rehash.argon2.time,
    parallelism: rehash.argon2.parallelism,
    outputLen: 32,
  });
}
