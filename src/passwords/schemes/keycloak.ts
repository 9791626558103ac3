import { randomBytes } from 'node:crypto';
import { decodeBase64 } from '../encoding/base64.js';
import { pbkdf2String } from '../encoding/passwap.js';
import type { Argon2Type } from '../primitives/argon2.js';
import type { DigestName } from '../primitives/digest.js';
import type { PasswordScheme } from '../scheme.js';
import { argon2ToZitadel, verifyArgon2, type Argon2Hash } from './argon2.js';
import { verifyPbkdf2 } from './pbkdf2.js';
import { malformed, orNull } from './support.js';

/**
 * Keycloak credentials as a realm export writes them: `{"secretData": "{value, salt}",
 * "credentialData": "{hashIterations, algorithm, additionalParameters}"}`, each inner object a JSON
 * string (objects are accepted too).
 */

interface KeycloakCredential {
  readonly algorithm: string;
  readonly iterations: number;
  readonly salt: Buffer;
  readonly value: Buffer;
  readonly parameters: Readonly<Record<string, unknown>>;
}

function record(value: unknown): Record<string, unknown> | undefined {
  const parsed: unknown = typeof value === 'string' ? orNull(() => JSON.parse(value) as unknown) : value;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

function parse(scheme: string, hash: string): KeycloakCredential {
  const outer = hash.startsWith('{') ? record(hash) : undefined;
  const secret = record(outer?.secretData);
  const credential = record(outer?.credentialData);
  const salt = typeof secret?.salt === 'string' ? decodeBase64(secret.salt) : undefined;
  const value = typeof secret?.value === 'string' ? decodeBase64(secret.value) : undefined;
  const iterations = credential?.hashIterations;
  const algorithm = credential?.algorithm;
  if (!salt || !value || typeof algorithm !== 'string' || typeof iterations !== 'number' || !Number.isSafeInteger(iterations)) {
    return malformed(scheme, 'not a Keycloak credential');
  }
  return { algorithm, iterations, salt, value, parameters: record(credential?.additionalParameters) ?? {} };
}

// --- PBKDF2: `pbkdf2` (HMAC-SHA1), `pbkdf2-sha256`, `pbkdf2-sha512`; key length = stored length.

const PBKDF2: Readonly<Record<string, DigestName>> = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' };

function pbkdf2Of(hash: string) {
  const credential = parse('keycloak-pbkdf2', hash);
  const digest = PBKDF2[credential.algorithm] ?? malformed('keycloak-pbkdf2', 'unknown algorithm');
  return { ...credential, digest };
}

const algorithmOf = (hash: string): unknown => (hash.startsWith('{') ? orNull(() => parse('keycloak', hash).algorithm) : null);

export const keycloakPbkdf2Scheme: PasswordScheme = {
  id: 'keycloak-pbkdf2',
  blocking: false,
  identify: ({ hash }) => {
    const algorithm = algorithmOf(hash);
    return typeof algorithm === 'string' && algorithm in PBKDF2;
  },
  verify: async (password, { hash }, ctx) => {
    const { digest, iterations, salt, value } = pbkdf2Of(hash);
    return verifyPbkdf2('keycloak-pbkdf2', password, salt, iterations, digest, value, ctx);
  },
  toZitadel: ({ hash }) => orNull(() => {
    const { digest, iterations, salt, value } = pbkdf2Of(hash);
    return pbkdf2String(digest, iterations, salt, value);
  }),
  dummy: () => ({ hash: keycloakJson({ value: randomBytes(64), salt: randomBytes(16) }, { hashIterations: 27500, algorithm: 'pbkdf2-sha256', additionalParameters: {} }) }),
};

// --- argon2 (Keycloak ≥ 24): parameters as string arrays, `hashIterations` is t.

const TYPES: Readonly<Record<string, Argon2Type>> = { id: 'argon2id', i: 'argon2i', d: 'argon2d' };
const VERSIONS: Readonly<Record<string, 16 | 19>> = { '1.3': 19, '1.0': 16 };

function first(parameters: Readonly<Record<string, unknown>>, name: string, fallback: string): string {
  const value = parameters[name];
  const item: unknown = Array.isArray(value) ? value[0] : value;
  return typeof item === 'string' || typeof item === 'number' ? String(item) : fallback;
}

function argon2Of(hash: string): Argon2Hash {
  const id = 'keycloak-argon2';
  const credential = parse(id, hash);
  if (credential.algorithm !== 'argon2') malformed(id, 'not an argon2 credential');
  const { parameters } = credential;
  // Keycloak's defaults, for exports that leave a parameter out.
  const type = TYPES[first(parameters, 'type', 'id')];
  const version = VERSIONS[first(parameters, 'version', '1.3')];
  const memoryKiB = Number(first(parameters, 'memory', '7168'));
  const parallelism = Number(first(parameters, 'parallelism', '1'));
  const hashLength = Number(first(parameters, 'hashLength', String(credential.value.length)));
  if (!type || !version || !Number.isSafeInteger(memoryKiB) || !Number.isSafeInteger(parallelism) || hashLength !== credential.value.length) {
    return malformed(id, 'bad argon2 parameters');
  }
  return { type, version, memoryKiB, time: credential.iterations, parallelism, salt: credential.salt, hash: credential.value };
}

export const keycloakArgon2Scheme: PasswordScheme = {
  id: 'keycloak-argon2',
  blocking: false,
  identify: ({ hash }) => algorithmOf(hash) === 'argon2',
  verify: async (password, { hash }, ctx) => verifyArgon2('keycloak-argon2', password, argon2Of(hash), ctx),
  toZitadel: ({ hash }) => orNull(() => argon2ToZitadel(argon2Of(hash))),
  dummy: () => ({
    hash: keycloakJson(
      { value: randomBytes(32), salt: randomBytes(16) },
      { hashIterations: 5, algorithm: 'argon2', additionalParameters: { hashLength: ['32'], memory: ['7168'], type: ['id'], version: ['1.3'], parallelism: ['1'] } },
    ),
  }),
};

function keycloakJson(secret: { value: Buffer; salt: Buffer }, credential: object): string {
  return JSON.stringify({
    secretData: JSON.stringify({ value: secret.value.toString('base64'), salt: secret.salt.toString('base64'), additionalParameters: {} }),
    credentialData: JSON.stringify(credential),
  });
}
