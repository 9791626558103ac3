import { z } from 'zod';
import { secretSchema as secretOf } from '../config/secret.js';
import { DEFAULT_BOUNDS } from './bounds.js';
import { schemeIds } from './registry.js';
import type { SchemeOptions } from './scheme.js';
import { DEFAULT_ZITADEL_LIMITS, ZITADEL_VERIFIERS } from './zitadel-format/limits.js';

// Empty secrets are real here: Spring's encoders default to "".
const secretSchema = secretOf({ allowEmpty: true });

/**
 * Configuration of password checking for one legacy source (`legacy.passwords`) and of the hand-off of
 * hashes to ZITADEL (`handoff`). Each `.describe()` is the documentation of its setting.
 */

const count = (min: number) => z.number().int().min(min);

const boundsSchema = z
  .object({
    maxPasswordBytes: count(1).default(DEFAULT_BOUNDS.maxPasswordBytes).describe('Longer passwords (UTF-8 bytes) fail without any hashing.'),
    maxHashLength: count(1)
      .default(DEFAULT_BOUNDS.maxHashLength)
      .describe('Longer stored values (the hash column, and the salt column where there is one) are refused as out of bounds.'),
    bcryptMaxCost: count(4)
      .max(31)
      .default(DEFAULT_BOUNDS.bcryptMaxCost)
      .describe('Highest bcrypt cost (log2 rounds) computed; three less for `$2x$` hashes of 8-bit passwords, which are computed in JavaScript.'),
    argon2MaxMemoryKiB: count(8).default(DEFAULT_BOUNDS.argon2MaxMemoryKiB).describe('Highest argon2 memory (m, KiB).'),
    argon2MaxTime: count(1).default(DEFAULT_BOUNDS.argon2MaxTime).describe('Highest argon2 passes (t).'),
    argon2MaxParallelism: count(1).default(DEFAULT_BOUNDS.argon2MaxParallelism).describe('Highest argon2 lanes (p).'),
    scryptMaxLogN: count(1).max(30).default(DEFAULT_BOUNDS.scryptMaxLogN).describe('Highest scrypt log2(N).'),
    scryptMaxR: count(1).default(DEFAULT_BOUNDS.scryptMaxR).describe('Highest scrypt block size r.'),
    scryptMaxP: count(1).default(DEFAULT_BOUNDS.scryptMaxP).describe('Highest scrypt parallelism p.'),
    scryptMaxMemoryMiB: count(1).default(DEFAULT_BOUNDS.scryptMaxMemoryMiB).describe('Highest scrypt memory, 128·N·r bytes, in MiB (256 admits N = 2^18 with r = 8).'),
    scryptMaxWorkMiB: count(1)
      .default(DEFAULT_BOUNDS.scryptMaxWorkMiB)
      .describe('Highest scrypt work, 128·N·r·p bytes in MiB: the memory, passed over p times (512 admits N = 2^18, r = 8 with p = 2).'),
    pbkdf2MaxRounds: count(1)
      .default(DEFAULT_BOUNDS.pbkdf2MaxRounds)
      .describe('Highest PBKDF2 iterations in all: the rounds, times the digest-sized blocks of the derived key.'),
    shaCryptMaxRounds: count(1000)
      .default(DEFAULT_BOUNDS.shaCryptMaxRounds)
      .describe(
        'Highest sha256/sha512-crypt rounds (glibc allows 999 999 999; here a million rounds cost about 2 s of one core), for passwords of up to 64 bytes: ' +
          'every round hashes the password twice, so longer ones get proportionally fewer.',
      ),
    phpassMaxLog2: count(7)
      .max(30)
      .default(DEFAULT_BOUNDS.phpassMaxLog2)
      .describe('Highest phpass ($P$/$H$) log2 iterations (the format allows 30; 20 costs about 2 s of one core), for passwords of up to 64 bytes; longer ones get fewer.'),
    drupalMaxLog2: count(7)
      .max(30)
      .default(DEFAULT_BOUNDS.drupalMaxLog2)
      .describe('Highest Drupal 7 ($S$) log2 iterations (the format allows 30; 20 costs about 2 s of one core), for passwords of up to 64 bytes; longer ones get fewer.'),
  })
  .strict()
  .describe('Caps on the work a stored hash may ask for, checked before hashing; a hash beyond them is refused and reported.');

const optionsSchema = z
  .object({
    saltOrder: z
      .enum(['salt+password', 'password+salt'])
      .optional()
      .describe('For `*-salted` digests (salt in its own column): what was hashed. Required when such a scheme is listed.'),
    pepper: z
      .object({
        value: secretSchema.describe('The pepper (secret).'),
        position: z.enum(['before', 'after']).default('after').describe('Where the application concatenated it to the password.'),
      })
      .strict()
      .optional()
      .describe('A secret the legacy application appended or prepended to every password before hashing. Peppered hashes are always re-hashed for ZITADEL.'),
    firebase: z
      .object({
        signerKey: secretSchema.describe('base64_signer_key of the project (secret).'),
        saltSeparator: z.string().default('Bw==').describe('base64_salt_separator of the project.'),
        rounds: count(1).default(8).describe('rounds of the project.'),
        memCost: count(1).default(14).describe('mem_cost of the project.'),
      })
      .strict()
      .optional()
      .describe('Firebase scrypt project settings, for exports whose hash column holds only the passwordHash (the salt column holds the salt).'),
    springPbkdf2: z
      .object({
        secret: secretSchema.optional().describe('The encoder secret (secret; Spring default empty).'),
        iterations: count(1).optional().describe('Iterations (default by id: 185 000, or 310 000 for @SpringSecurity_v5_8).'),
        saltLength: count(1).optional().describe('Salt bytes (default by id: 8, or 16 for @SpringSecurity_v5_8).'),
        algorithm: z.enum(['sha1', 'sha256', 'sha512']).optional().describe('HMAC (default by id: sha1, or sha256 for @SpringSecurity_v5_8).'),
      })
      .strict()
      .optional()
      .describe('Spring Pbkdf2PasswordEncoder settings, when the application did not use the defaults (they apply to {pbkdf2} and {pbkdf2@SpringSecurity_v5_8}).'),
    springSha256: z
      .object({ secret: secretSchema.optional().describe('The StandardPasswordEncoder secret (secret; default empty).') })
      .strict()
      .optional()
      .describe('Spring StandardPasswordEncoder ({sha256}) settings.'),
  })
  .strict()
  .describe('Settings for formats whose parameters are not in the stored string.');

const SALTED = /-salted$/;

export const passwordsConfigSchema = z
  .object({
    schemes: z
      .array(z.string())
      .min(1)
      .default(['bcrypt', 'argon2id', 'argon2i'])
      .describe(
        'Hash formats this source uses, by id. A stored hash is matched against these only; when several recognise it ' +
          '(e.g. 32 hex digits, or `sha1$…` from Django and Werkzeug) the first listed wins.',
      ),
    options: optionsSchema.prefault({}),
    bounds: boundsSchema.prefault({}),
    legacyCharset: z
      .enum(['latin1'])
      .optional()
      .describe(
        'Retry a failed check with the password in this charset (old PHP/MySQL applications hashed Latin-1 bytes). A match then re-hashes for ZITADEL. ' +
          'Each try has the caps of `bounds`, so a wrong password with a Latin-1 form costs up to two verifications.',
      ),
    concurrency: count(1).optional().describe('Verifications running at once (default: twice the CPU count).'),
    queueLimit: count(0).default(64).describe('Verifications waiting for a slot; beyond it a login is answered "busy, try again" at once.'),
    workers: count(1).optional().describe('Worker threads for formats computed in JavaScript (default: the CPU count).'),
    workerTimeoutMs: count(100)
      .max(600_000)
      .default(20_000)
      .describe(
        'A verification running longer than this in a worker thread (formats computed in JavaScript) is stopped, its thread replaced, ' +
          'and the login answered "busy, try again". The caps of `bounds` keep legitimate hashes far below it.',
      ),
  })
  .strict()
  .superRefine((config, ctx) => {
    const known = new Set(schemeIds());
    const unknown = config.schemes.filter((id) => !known.has(id));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['schemes'],
        message: `unknown scheme${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known: ${[...known].join(', ')}`,
      });
    }
    if (config.schemes.some((id) => SALTED.test(id)) && !config.options.saltOrder) {
      ctx.addIssue({ code: 'custom', path: ['options', 'saltOrder'], message: 'required when a *-salted scheme is listed' });
    }
  })
  .describe('How passwords of this legacy source are checked.');

export type PasswordsConfig = z.output<typeof passwordsConfigSchema>;
export type PasswordsConfigInput = z.input<typeof passwordsConfigSchema>;

/** The options as the schemes use them, secrets revealed (never log the result). */
export function schemeOptions(options: PasswordsConfig['options']): SchemeOptions {
  const { pepper, firebase, springPbkdf2, springSha256, saltOrder } = options;
  return {
    ...(saltOrder ? { saltOrder } : {}),
    ...(pepper ? { pepper: { value: pepper.value.reveal(), position: pepper.position } } : {}),
    ...(firebase ? { firebase: { ...firebase, signerKey: firebase.signerKey.reveal() } } : {}),
    ...(springPbkdf2 ? { springPbkdf2: { ...springPbkdf2, secret: springPbkdf2.secret?.reveal() } } : {}),
    ...(springSha256 ? { springSha256: { secret: springSha256.secret?.reveal() } } : {}),
  };
}

const L = DEFAULT_ZITADEL_LIMITS;

const limitsSchema = z
  .object({
    bcrypt: z.object({ minCost: count(4).default(L.bcrypt.minCost), maxCost: count(4).max(31).default(L.bcrypt.maxCost) }).strict().prefault({}),
    argon2: z
      .object({
        minTime: count(1).default(L.argon2.minTime),
        maxTime: count(1).default(L.argon2.maxTime),
        minMemoryKiB: count(1).default(L.argon2.minMemoryKiB),
        maxMemoryKiB: count(1).default(L.argon2.maxMemoryKiB),
        minThreads: count(1).default(L.argon2.minThreads),
        maxThreads: count(1).default(L.argon2.maxThreads),
      })
      .strict()
      .prefault({}),
    scrypt: z
      .object({
        minLN: count(1).default(L.scrypt.minLN),
        maxLN: count(1).default(L.scrypt.maxLN),
        minR: count(1).default(L.scrypt.minR),
        maxR: count(1).default(L.scrypt.maxR),
        minP: count(1).default(L.scrypt.minP),
        maxP: count(1).default(L.scrypt.maxP),
      })
      .strict()
      .prefault({}),
    pbkdf2: z.object({ minRounds: count(1).default(L.pbkdf2.minRounds), maxRounds: count(1).default(L.pbkdf2.maxRounds) }).strict().prefault({}),
    sha2: z.object({ minRounds: count(1).default(L.sha2.minRounds), maxRounds: count(1).default(L.sha2.maxRounds) }).strict().prefault({}),
    phpass: z.object({ minLog2: count(1).default(L.phpass.minLog2), maxLog2: count(1).default(L.phpass.maxLog2) }).strict().prefault({}),
    drupal7: z
      .object({ minIterations: count(1).default(L.drupal7.minIterations), maxIterations: count(1).default(L.drupal7.maxIterations) })
      .strict()
      .prefault({}),
  })
  .strict()
  .describe("ZITADEL's import limits (SystemDefaults.PasswordHasher.Limits); the defaults are ZITADEL's. A hash outside them is re-hashed instead.");

export const handOffConfigSchema = z
  .object({
    zitadel: z
      .object({
        verifiers: z
          .array(z.enum(ZITADEL_VERIFIERS))
          .default(['bcrypt'])
          .describe(
            "Hash verifiers the target ZITADEL has enabled: its configured hasher (bcrypt by default) plus SystemDefaults.PasswordHasher.Verifiers. " +
              'Only hashes one of them reads are handed over unchanged or re-encoded; enabling more (e.g. argon2, pbkdf2, md5salted) means fewer re-hashes.',
          ),
        limits: limitsSchema.prefault({}),
      })
      .strict()
      .prefault({})
      .describe('The ZITADEL instance that receives the hashes.'),
    rehash: z
      .object({
        algorithm: z
          .enum(['argon2id', 'bcrypt'])
          .default('argon2id')
          .describe('Preferred format when the password is re-hashed at login; the other one is used when ZITADEL lacks its verifier, and argon2id for passwords over 72 bytes.'),
        bcryptCost: count(4).max(31).default(12).describe('bcrypt cost of re-hashes.'),
        argon2: z
          .object({
            memoryKiB: count(8).default(19_456).describe('argon2id memory (KiB) of re-hashes.'),
            time: count(1).default(2).describe('argon2id passes of re-hashes.'),
            parallelism: count(1).max(255).default(1).describe('argon2id lanes of re-hashes.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { rehash, zitadel } = config;
    const { argon2, bcrypt } = zitadel.limits;
    if (rehash.bcryptCost < bcrypt.minCost || rehash.bcryptCost > bcrypt.maxCost) {
      ctx.addIssue({ code: 'custom', path: ['rehash', 'bcryptCost'], message: `outside ZITADEL's bcrypt limits ${bcrypt.minCost}–${bcrypt.maxCost}` });
    }
    const a = rehash.argon2;
    if (a.memoryKiB < argon2.minMemoryKiB || a.memoryKiB > argon2.maxMemoryKiB || a.time < argon2.minTime || a.time > argon2.maxTime || a.parallelism < argon2.minThreads || a.parallelism > argon2.maxThreads) {
      ctx.addIssue({ code: 'custom', path: ['rehash', 'argon2'], message: "outside ZITADEL's argon2 limits" });
    }
  })
  .describe('What is handed to ZITADEL for a verified user: the legacy hash, a lossless re-encoding, or a fresh hash of the password.');

export type HandOffConfig = z.output<typeof handOffConfigSchema>;
export type HandOffConfigInput = z.input<typeof handOffConfigSchema>;
