import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A secret held in memory. It prints as `[redacted]` in logs, JSON and `util.inspect`, so a configuration
 * object can be logged or dumped without leaking what it protects.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself; call only where it is used, never to print. */
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

export interface SecretSchemaOptions {
  /** Where `{ env: NAME }` is read; the process environment by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Accept an empty secret (some products' default secret is ""). */
  readonly allowEmpty?: boolean;
}

/**
 * A secret in the configuration: a literal string (discouraged outside development), `{ env: NAME }` to
 * read an environment variable, or `{ file: PATH }` to read a file (one trailing newline removed), as
 * Docker and Kubernetes secrets are mounted. An already parsed `Secret` passes through.
 */
export function secretSchema({ env = process.env, allowEmpty = false }: SecretSchemaOptions = {}) {
  return z
    .union([
      allowEmpty ? z.string() : z.string().min(1),
      z.object({ env: z.string().min(1).describe('Name of the environment variable holding the secret.') }).strict(),
      z.object({ file: z.string().min(1).describe('Path of a file holding the secret.') }).strict(),
      z.instanceof(Secret),
    ])
    .transform((source, ctx) => {
      if (source instanceof Secret) return source;
      if (typeof source === 'string') return new Secret(source);
      if ('env' in source) {
        const value = env[source.env];
        if (value === undefined || (value === '' && !allowEmpty)) {
          ctx.addIssue({ code: 'custom', message: `environment variable ${source.env} is not set or empty` });
          return z.NEVER;
        }
        return new Secret(value);
      }
      try {
        const value = readFileSync(source.file, 'utf8').replace(/\r?\n$/, '');
        if (!value && !allowEmpty) throw new Error('the file is empty');
        return new Secret(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `cannot read secret file ${source.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
        return z.NEVER;
      }
    });
}
