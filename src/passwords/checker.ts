import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { passwordsConfigSchema, schemeOptions, type PasswordsConfigInput } from './config.js';
import { PasswordTimeoutError, UnsupportedHashError } from './errors.js';
import { getScheme, identifyAmong } from './registry.js';
import { Limiter } from './runtime/limiter.js';
import { WorkerPool } from './runtime/pool.js';
import { lowerThreadPool } from './runtime/priority.js';
import { HashBoundsError, HashFormatError, runsInWorker, type PasswordScheme, type SchemeContext, type StoredCredential } from './scheme.js';
import { bcryptScheme } from './schemes/bcrypt.js';
import { TypicalHash } from './typical-hash.js';

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
  /** ok=false for a wrong password; throws PasswordBusyError when saturated, PasswordTimeoutError (same code) past the worker deadline, HashFormatError / HashBoundsError / UnsupportedHashError (no configured scheme claims the hash) for bad stored data. */
  verify(password: string, stored: StoredCredential): Promise<VerifyResult>;
  /**
   * Spend one typical verification for an unknown user (timing equalisation), with the first configured
   * scheme's typical cost; never throws for a wrong password. False when no hashing was done (a password over
   * the length cap fails without any), so its duration says nothing about what a verification costs.
   */
  verifyDummy(password: string): Promise<boolean>;
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
  const pool = new WorkerPool(parsed.workers ?? cpus, ctx, parsed.workerTimeoutMs);
  const first = getScheme(parsed.schemes[0] ?? '') ?? bcryptScheme;
  // Stored values of the first scheme: their real cost is the typical cost to imitate.
  const typical = new TypicalHash();

  const pepper = ctx.options.pepper;
  const withPepper = (bytes: Buffer): Buffer => {
    if (!pepper) return bytes;
    const value = Buffer.from(pepper.value, 'utf8');
    return pepper.position === 'before' ? Buffer.concat([value, bytes]) : Buffer.concat([bytes, value]);
  };

  const compute = (scheme: PasswordScheme, bytes: Buffer, stored: StoredCredential): Promise<boolean> =>
    runsInWorker(scheme, bytes, stored) ? pool.run(scheme.id, bytes, stored) : scheme.verify(bytes, stored, ctx);

  const report = (error: unknown): void => {
    if (error instanceof HashFormatError || error instanceof HashBoundsError) {
      logger?.warn({ scheme: error.scheme, code: error.code, detail: error.detail }, 'stored password hash refused');
    } else if (error instanceof UnsupportedHashError) {
      logger?.warn({ schemes: error.schemes, code: error.code }, 'stored password hash not recognised');
    } else if (error instanceof PasswordTimeoutError) {
      logger?.warn({ scheme: error.scheme, code: error.code, deadlineMs: error.deadlineMs }, 'password verification stopped at its deadline');
    }
  };

  /** Which column of a stored value is over the length cap, if one is: salted digests hash the salt column whole. */
  const overLong = (stored: StoredCredential): string | undefined => {
    const max = ctx.bounds.maxHashLength;
    if (stored.hash.length > max) return `stored value longer than ${max} characters`;
    if ((stored.salt?.length ?? 0) > max) return `salt column longer than ${max} characters`;
    return undefined;
  };

  /** The configured scheme for a stored value; its length is bounded before even identification. */
  function schemeFor(stored: StoredCredential): PasswordScheme {
    const tooLong = overLong(stored);
    if (tooLong) throw new HashBoundsError('unidentified', tooLong);
    const scheme = identifyAmong(parsed.schemes, stored);
    if (!scheme) throw new UnsupportedHashError(parsed.schemes);
    return scheme;
  }

  /** The verdict, and how long the hashing took once it had a slot (none when no hashing was done). */
  async function check(scheme: PasswordScheme, password: string, stored: StoredCredential): Promise<{ result: VerifyResult; ms?: number }> {
    const bytes = Buffer.from(password, 'utf8');
    // Nothing this long is a real password; failing without work also caps the cost of hostile input.
    if (bytes.length > ctx.bounds.maxPasswordBytes) return { result: { ok: false, scheme: scheme.id } };
    const legacy = parsed.legacyCharset === 'latin1' ? latin1Bytes(password) : undefined;
    return limiter.run(async () => {
      const started = performance.now();
      const answer = (result: VerifyResult) => ({ result, ms: performance.now() - started });
      if (await compute(scheme, withPepper(bytes), stored)) return answer({ ok: true, scheme: scheme.id });
      // The retry gets the whole caps too, so costly real formats (passlib's sha512-crypt, libsodium's argon2i)
      // verify in the legacy charset as well: a verification costs at most two tries within the caps.
      if (legacy && (await compute(scheme, withPepper(legacy), stored))) return answer({ ok: true, scheme: scheme.id, legacyCharset: 'latin1' });
      return answer({ ok: false, scheme: scheme.id });
    });
  }

  return {
    async verify(password, stored) {
      try {
        const scheme = schemeFor(stored);
        const { result, ms } = await check(scheme, password, stored);
        if (scheme === first && ms !== undefined) typical.record({ hash: stored.hash, salt: stored.salt ?? null }, ms);
        return result;
      } catch (error) {
        report(error);
        throw error;
      }
    },

    async verifyDummy(password) {
      const model = typical.value;
      // Every registered scheme has a dummy; bcrypt's stands in should one ever lack it.
      const scheme = model || first.dummy ? first : bcryptScheme;
      const stored = model ?? scheme.dummy?.(ctx) ?? { hash: '' };
      try {
        return (await check(scheme, password, stored)).ms !== undefined;
      } catch (error) {
        if ((error as { code?: string }).code === 'PASSWORDS_BUSY') throw error;
        return false;
      }
    },

    identify: (stored) => (overLong(stored) ? undefined : identifyAmong(parsed.schemes, stored)?.id),

    close: () => pool.close(),
  };
}
