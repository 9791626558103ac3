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

/** The signing algorithms each key type (and curve) can sign with; the first is assumed when a key has no `alg`. */
const ALGORITHMS_BY_KEY_TYPE: Readonly<Record<string, readonly string[]>> = {
  RSA: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  'EC P-256': ['ES256'],
  'EC P-384': ['ES384'],
  'EC P-521': ['ES512'],
  'OKP Ed25519': ['EdDSA', 'Ed25519'],
};

const MIN_RSA_BITS = 2048;

/** The size of an RSA modulus given as base64url (its leading zero bits not counted); 0 when there is none. */
function rsaModulusBits(n: unknown): number {
  if (typeof n !== 'string') return 0;
  const bytes = Buffer.from(n, 'base64url');
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first += 1;
  if (first === bytes.length) return 0;
  return (bytes.length - first - 1) * 8 + bytes[first]!.toString(2).length;
}

/**
 * The algorithm a private JWK signs with: its `alg`, else the usual one for its type and curve. The ID tokens'
 * algorithm is taken from it, so a key it does not fit is refused here rather than failing every login.
 */
export function signingAlgorithmOf(key: JWK): string {
  const type = key.kty === 'RSA' ? 'RSA' : `${key.kty} ${key.crv ?? '(no crv)'}`;
  const algorithms = ALGORITHMS_BY_KEY_TYPE[type];
  const name = `key ${JSON.stringify(key.kid ?? '(no kid)')}`;
  if (!algorithms) {
    throw new KeysError(`${name}: key type ${type} cannot sign ID tokens here; use RSA, EC P-256/P-384/P-521 or OKP Ed25519`);
  }
  if (type === 'RSA') {
    // RSA signatures need 2048 bits or more; a smaller key starts fine and then fails every token request.
    const bits = rsaModulusBits(key.n);
    if (bits < MIN_RSA_BITS) throw new KeysError(`${name}: an RSA key of ${bits} bits cannot sign ID tokens; it needs at least ${MIN_RSA_BITS} ('legacy-bridge keys rotate' makes a new one)`);
  }
  if (key.alg === undefined) return algorithms[0]!;
  if (!algorithms.includes(key.alg)) throw new KeysError(`${name}: alg ${key.alg} does not fit its key type ${type} (expected one of ${algorithms.join(', ')})`);
  return key.alg;
}

/** One of the algorithms `keys generate` makes and ZITADEL verifies (older ZITADEL versions: RS256 only). */
export function isSigningAlgorithm(alg: string): alg is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(alg);
}

/** Refuse keys whose ID tokens ZITADEL cannot verify: every login through it would fail. */
export function assertZitadelVerifies(jwks: PrivateJwks, file: string): void {
  const alg = signingAlgorithmOf(jwks.keys[0]!);
  if (isSigningAlgorithm(alg)) return;
  throw new KeysError(
    `${file}: the first key signs ID tokens with ${alg}, which ZITADEL cannot verify (it accepts ${SIGNING_ALGORITHMS.join(', ')}); put one of those first, e.g. 'legacy-bridge keys rotate --alg RS256'`,
  );
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
    // Not the parser's message: it quotes the text around the fault, which is private key material.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new KeysError(`${file} is not valid JSON${at ? ` (at character ${at})` : ''}`);
  }
  const keys = (parsed as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new KeysError(`${file} must be a JWKS: { "keys": [ … ] } with at least one key`);
  keys.forEach((key: JWK, i) => {
    if (!key || typeof key !== 'object' || typeof key.kty !== 'string') throw new KeysError(`${file}: keys[${i}] is not a JWK`);
    if (!key.d) throw new KeysError(`${file}: keys[${i}] has no private part; the provider needs private keys to sign`);
    if (!key.kid) throw new KeysError(`${file}: keys[${i}] has no kid`);
    try {
      signingAlgorithmOf(key);
    } catch (error) {
      throw new KeysError(`${file}: keys[${i}]: ${(error as Error).message}`);
    }
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
