import type { PasswordsConfigInput } from './config.js';
import type { StoredCredential } from './scheme.js';

/**
 * One line of a known-answer file in the shared vectors' JSON Lines format, and the per-source
 * configuration its `params` stand for (salt column and order, Spring encoder settings, Firebase
 * project keys, a pepper).
 */

export interface VectorLine {
  readonly format: string;
  readonly password: string;
  readonly hash: string;
  /** Missing means true. */
  readonly expect: boolean;
  readonly params: Readonly<Record<string, unknown>>;
  readonly zitadelHash?: string | null;
}

export function parseVectorLine(text: string): VectorLine | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'malformed JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const line = value as Record<string, unknown>;
  const { format, password, hash, expect, params, zitadel_hash: zitadelHash } = line;
  if (typeof format !== 'string' || typeof password !== 'string' || typeof hash !== 'string') {
    return { error: 'format, password and hash must be strings' };
  }
  if (expect !== undefined && typeof expect !== 'boolean') return { error: 'expect must be a boolean' };
  const paramsObject = typeof params === 'object' && params !== null && !Array.isArray(params) ? (params as Record<string, unknown>) : {};
  return {
    format,
    password,
    hash,
    expect: expect ?? true,
    params: paramsObject,
    ...(typeof zitadelHash === 'string' || zitadelHash === null ? { zitadelHash } : {}),
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const integer = (value: unknown): number | undefined => (typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined);

const JCE_HMAC: Readonly<Record<string, 'sha1' | 'sha256' | 'sha512'>> = {
  PBKDF2WithHmacSHA1: 'sha1',
  PBKDF2WithHmacSHA256: 'sha256',
  PBKDF2WithHmacSHA512: 'sha512',
};

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The stored credential a line describes: its hash, and `params.salt` as the salt column. */
export function storedFor(line: VectorLine): StoredCredential {
  return { hash: line.hash, salt: text(line.params.salt) ?? null };
}

/** A legacy source using only this line's format, with the options its params give, over `base`. */
export function sourceFor(line: VectorLine, base: PasswordsConfigInput = {}): PasswordsConfigInput {
  const p = line.params;
  const options: Record<string, unknown> = { ...(base.options ?? {}) };
  const order = text(p.order);
  if (order) options.saltOrder = order;
  if (line.format === 'spring-pbkdf2') {
    options.springPbkdf2 = defined({
      secret: text(p.secret),
      iterations: integer(p.iterations),
      saltLength: integer(p.salt_bytes),
      algorithm: JCE_HMAC[text(p.algorithm) ?? ''],
    });
  }
  if (line.format === 'spring-sha256' && text(p.secret) !== undefined) options.springSha256 = { secret: text(p.secret) };
  if (line.format === 'firebase-scrypt' && text(p.signer_key)) {
    options.firebase = defined({ signerKey: text(p.signer_key), saltSeparator: text(p.salt_separator), rounds: integer(p.rounds), memCost: integer(p.mem_cost) });
  }
  const pepper = text(p.pepper);
  if (pepper) options.pepper = { value: pepper, position: p.pepper_position === 'before' ? 'before' : 'after' };
  return { ...base, schemes: [line.format], options };
}
