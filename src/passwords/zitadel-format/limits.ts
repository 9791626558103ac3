/**
 * ZITADEL's hash verifiers (`SystemDefaults.PasswordHasher.Verifiers`) and the import limits of
 * current versions (`SystemDefaults.PasswordHasher.Limits`): an imported hash outside them is refused.
 */

export const ZITADEL_VERIFIERS = ['argon2', 'bcrypt', 'md5', 'md5plain', 'md5salted', 'phpass', 'sha2', 'scrypt', 'pbkdf2', 'drupal7'] as const;

export type ZitadelVerifier = (typeof ZITADEL_VERIFIERS)[number];

export interface ZitadelLimits {
  readonly bcrypt: { readonly minCost: number; readonly maxCost: number };
  readonly argon2: {
    readonly minTime: number;
    readonly maxTime: number;
    readonly minMemoryKiB: number;
    readonly maxMemoryKiB: number;
    readonly minThreads: number;
    readonly maxThreads: number;
  };
  readonly scrypt: { readonly minLN: number; readonly maxLN: number; readonly minR: number; readonly maxR: number; readonly minP: number; readonly maxP: number };
  readonly pbkdf2: { readonly minRounds: number; readonly maxRounds: number };
  readonly sha2: { readonly minRounds: number; readonly maxRounds: number };
  readonly phpass: { readonly minLog2: number; readonly maxLog2: number };
  readonly drupal7: { readonly minIterations: number; readonly maxIterations: number };
}

export const DEFAULT_ZITADEL_LIMITS: ZitadelLimits = {
  bcrypt: { minCost: 10, maxCost: 16 },
  argon2: { minTime: 1, maxTime: 10, minMemoryKiB: 8192, maxMemoryKiB: 524_288, minThreads: 1, maxThreads: 16 },
  scrypt: { minLN: 14, maxLN: 20, minR: 8, maxR: 32, minP: 1, maxP: 16 },
  pbkdf2: { minRounds: 1000, maxRounds: 10_000_000 },
  sha2: { minRounds: 1000, maxRounds: 999_999_999 },
  phpass: { minLog2: 7, maxLog2: 31 },
  drupal7: { minIterations: 1000, maxIterations: 500_000 },
};

/** ZITADEL refuses longer hashes at import. */
export const ZITADEL_MAX_HASH_LENGTH = 200;
