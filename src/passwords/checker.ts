import { availableParallelism } from 'node:os';
import { passwordsConfigSchema, schemeOptions, type PasswordsConfigInput } from './config.js';
import { UnsupportedHashError } from './errors.js';
import { getScheme, identifyAmong } from './registry.js';
import { Limiter } from './runtime/limiter.js';
import { WorkerPool } from './runtime/pool.js';
import { lowerThreadPool } from './runtime/priority.js';
import { HashBoundsError, HashFormatError, type PasswordScheme, type SchemeContext, type StoredCredential } from './scheme.js';
import { bcryptScheme } from './schemes/bcrypt.js';

/** A pino-compatible logger; only `warn` is used, never with a password or a hash. */
export interface PasswordLogger {
  warn(obj: object, msg: string): void;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Id of the scheme that recognised the stored value. */
  readonly scheme: string;
  /**
   * Set when the password matched only in the legacy charset: the stored hash then encodes other
   * bytes than ZITADEL will see, so the hand-off must re-hash (pass this result to `decide`).
   */
  readonly legacyCharset?: 'latin1';
}

export interface PasswordChecker {
  /** ok=false for a wrong password; throws PasswordBusyError when saturated, HashFormatError / HashBoundsError / UnsupportedHashError (no configured scheme claims the hash) for bad stored data. */
  verify(password: string, stored: StoredCredential): Promise<VerifyResult>;
  /** Spend one typical verification for an unknown user (timing equalisation), with the first configured scheme's typical cost; never throws for a wrong password. */
  verifyDummy(password: string): Promise<void>;
  identify(stored: StoredCredential): string | undefined;
  close(): Promise<void>;
}

/** The password's bytes in Latin-1, when that differs from UTF-8 and loses nothing. */
function latin1Bytes(password: string): Buffer | undefined {
  return /[\x80-\xff]/.test(password) && !/[^\x00-\xff]/.test(password) ? Buffer.from(password, 'latin1') : undefined;
}

export function createPasswordChecker(config: PasswordsConfigInput, logger?: PasswordLogger): PasswordChecker {
  const parsed = passwordsConfigSchema.parse(config);
  void lowerThreadPool();
  const ctx: SchemeContext = { bounds: parsed.bounds, options: schemeOptions(parsed.options) };
  const cpus = availableParallelism();
  const limiter = new Limiter(parsed.concurrency ?? 2 * cpus, parsed.queueLimit);
  const pool = new WorkerPool(parsed.workers ?? cpus, ctx);
  const first = getScheme(parsed.schemes[0] ?? '') ?? bcryptScheme;
  // The latest stored value of the first scheme: its real cost is the typical cost to imitate.
  let typical: StoredCredential | undefined;

  const pepper = ctx.options.pepper;
  const withPepper = (bytes: Buffer): Buffer => {
    if (!pepper) return bytes;
    const value = Buffer.from(pepper.value, 'utf8');
    return pepper.position === 'before' ? Buffer.concat([value, bytes]) : Buffer.concat([bytes, value]);
  };

  const compute = (scheme: PasswordScheme, bytes: Buffer, stored: StoredCredential): Promise<boolean> =>
    scheme.blocking ? pool.run(scheme.id, bytes, stored) : scheme.verify(bytes, stored, ctx);

  const report = (error: unknown): void => {
    if (error instanceof HashFormatError || error instanceof HashBoundsError) {
      logger?.warn({ scheme: error.scheme, code: error.code, detail: error.detail }, 'stored password hash refused');
    } else if (error instanceof UnsupportedHashError) {
      logger?.warn({ schemes: error.schemes, code: error.code }, 'stored password hash not recognised');
    }
  };

  /** The configured scheme for a stored value; its length is bounded before even identification. */
  function schemeFor(stored: StoredCredential): PasswordScheme {
    if (stored.hash.length > ctx.bounds.maxHashLength) {
      throw new HashBoundsError('unidentified', `stored value longer than ${ctx.bounds.maxHashLength} characters`);
    }
    const scheme = identifyAmong(parsed.schemes, stored);
    if (!scheme) throw new UnsupportedHashError(parsed.schemes);
    return scheme;
  }

  async function check(scheme: PasswordScheme, password: string, stored: StoredCredential): Promise<VerifyResult> {
    const bytes = Buffer.from(password, 'utf8');
    // Nothing this long is a real password; failing without work also caps the cost of hostile input.
    if (bytes.length > ctx.bounds.maxPasswordBytes) return { ok: false, scheme: scheme.id };
    return limiter.run(async () => {
      if (await compute(scheme, withPepper(bytes), stored)) return { ok: true, scheme: scheme.id };
      const legacy = parsed.legacyCharset === 'latin1' ? latin1Bytes(password) : undefined;
      if (legacy && (await compute(scheme, withPepper(legacy), stored))) return { ok: true, scheme: scheme.id, legacyCharset: 'latin1' as const };
      return { ok: false, scheme: scheme.id };
    });
  }

  return {
    async verify(password, stored) {
      try {
        const scheme = schemeFor(stored);
        const result = await check(scheme, password, stored);
        if (scheme === first) typical = { hash: stored.hash, salt: stored.salt ?? null };
        return result;
      } catch (error) {
        report(error);
        throw error;
      }
    },

    async verifyDummy(password) {
      // Every registered scheme has a dummy; bcrypt's stands in should one ever lack it.
      const scheme = typical || first.dummy ? first : bcryptScheme;
      const stored = typical ?? scheme.dummy?.(ctx) ?? { hash: '' };
      try {
        await check(scheme, password, stored);
      } catch (error) {
        if ((error as { code?: string }).code === 'PASSWORDS_BUSY') throw error;
      }
    },

    identify: (stored) => (stored.hash.length > ctx.bounds.maxHashLength ? undefined : identifyAmong(parsed.schemes, stored)?.id),

    close: () => pool.close(),
  };
}
