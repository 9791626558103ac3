import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** A secret option value (pepper, signer key, encoder secret): kept out of logs, JSON and inspection. */
export interface SecretValue {
  reveal(): string;
}

class RedactedSecret implements SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted]';
  }
}

export function secretValue(value: string): SecretValue {
  return new RedactedSecret(value);
}

const isSecret = (value: unknown): value is SecretValue =>
  typeof value === 'object' && value !== null && typeof (value as { reveal?: unknown }).reveal === 'function';

/** A literal, `{ env: NAME }`, `{ file: PATH }`, or an already wrapped secret. Empty strings are allowed (Spring's default secret is ""). */
export const secretSchema = z
  .union([
    z.string(),
    z.object({ env: z.string().min(1).describe('Environment variable holding the secret.') }).strict(),
    z.object({ file: z.string().min(1).describe('File holding the secret (one trailing newline removed).') }).strict(),
    z.custom<SecretValue>(isSecret, 'expected a secret'),
  ])
  .transform((source, ctx): SecretValue => {
    if (typeof source === 'string') return secretValue(source);
    if (isSecret(source)) return source;
    if ('env' in source) {
      const value = process.env[source.env];
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: `environment variable ${source.env} is not set` });
        return z.NEVER;
      }
      return secretValue(value);
    }
    try {
      return secretValue(readFileSync(source.file, 'utf8').replace(/\r?\n$/, ''));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `cannot read secret file ${source.file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}` });
      return z.NEVER;
    }
  });
