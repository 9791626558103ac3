import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export const SIGNING_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface PrivateJwks {
  keys: JWK[];
}

export class KeysError extends Error {
  readonly code = 'KEYS_INVALID';
}

/** A new private signing key with `kid`, `alg` and `use` set, so the provider picks it deterministically. */
export async function generateSigningKey(alg: SigningAlgorithm = 'RS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, modulusLength: 2048 });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg, use: 'sig' };
}

/** Read a private JWKS; the first key signs, all are published. */
export function readJwks(file: string): PrivateJwks {
  if (!existsSync(file)) {
    throw new KeysError(`no signing keys at ${file}: create them with 'legacy-bridge keys generate'`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KeysError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeysError(`${file} must be a JWKS: { "keys": [ … ] } with at least one key`);
  keys.forEach((key: JWK, i) => {
    if (!key || typeof key !== 'object' || typeof key.kty !== 'string') throw new KeysError(`${file}: keys[${i}] is not a JWK`);
    if (!key.d) throw new KeysError(`${file}: keys[${i}] has no private part; the provider needs private keys to sign`);
    if (!key.kid) throw new KeysError(`${file}: keys[${i}] has no kid`);
  });
  return { keys: keys as JWK[] };
}

/** Write a private JWKS readable by its owner only, replacing the file atomically. */
export function writeJwks(file: string, jwks: PrivateJwks): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

/**
 * Put a new key first (it signs from now on) and keep `keep` previous keys published, so tokens they signed
 * still verify until they expire.
 */
export async function rotateJwks(current: PrivateJwks, keep: number, alg: SigningAlgorithm = 'RS256'): Promise<{ jwks: PrivateJwks; added: JWK; removed: JWK[] }> {
  const added = await generateSigningKey(alg);
  const kept = current.keys.slice(0, keep);
  return { jwks: { keys: [added, ...kept] }, added, removed: current.keys.slice(keep) };
}
