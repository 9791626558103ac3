/**
 * The boundary every legacy hash family implements. A scheme is registered by id (the format ids of
 * the shared vectors: `bcrypt`, `django-pbkdf2-sha256`, `ldap-ssha`, …) and never reached through a
 * switch elsewhere.
 */

/** What a legacy row holds for one user's password. */
export interface StoredCredential {
  /** The hash column, exactly as the legacy system stores it. */
  readonly hash: string;
  /** The separate salt column, for formats that keep the salt outside the hash string. */
  readonly salt?: string | null;
}

/** Per-source settings for formats whose parameters are not in the stored string. */
export interface SchemeOptions {
  /** `*-salted` digests: where the salt column goes. */
  readonly saltOrder?: 'salt+password' | 'password+salt';
  /** A secret the legacy app mixed into every hash, and where. */
  readonly pepper?: { readonly value: string; readonly position: 'before' | 'after' };
  /** Firebase scrypt project settings (base64 as the Firebase console shows them). */
  readonly firebase?: {
    readonly signerKey: string;
    readonly saltSeparator: string;
    readonly rounds: number;
    readonly memCost: number;
  };
  /** Spring `{pbkdf2}` encoder settings (the id suffix picks the defaults when absent). */
  readonly springPbkdf2?: {
    readonly secret?: string;
    readonly iterations?: number;
    readonly saltLength?: number;
    readonly algorithm?: 'sha1' | 'sha256' | 'sha512';
  };
  /** Spring `{sha256}` StandardPasswordEncoder secret. */
  readonly springSha256?: { readonly secret?: string };
}

/** Upper bounds on work an untrusted stored hash may ask for; checked before any hashing. */
export interface CostBounds {
  readonly maxPasswordBytes: number;
  readonly maxHashLength: number;
  readonly bcryptMaxCost: number;
  readonly argon2MaxMemoryKiB: number;
  readonly argon2MaxTime: number;
  readonly argon2MaxParallelism: number;
  readonly scryptMaxLogN: number;
  readonly scryptMaxR: number;
  readonly scryptMaxP: number;
  /** scrypt needs about 128·N·r bytes; bounded separately because ln and r multiply. */
  readonly scryptMaxMemoryMiB: number;
  /** Its time grows with p passes over that memory: 128·N·r·p bytes, bounded too. */
  readonly scryptMaxWorkMiB: number;
  /** Iterations in all: a derived key longer than the digest repeats every round once per digest-sized block. */
  readonly pbkdf2MaxRounds: number;
  readonly shaCryptMaxRounds: number;
  readonly phpassMaxLog2: number;
  readonly drupalMaxLog2: number;
}

export interface SchemeContext {
  readonly bounds: CostBounds;
  readonly options: SchemeOptions;
}

export interface PasswordScheme {
  /** Stable format id, as in the shared vectors. */
  readonly id: string;
  /**
   * True when the work is synchronous JavaScript (e.g. iterated digests): the runner then moves it to a
   * worker thread, which it stops at a deadline. Schemes backed by native libraries or async node:crypto
   * already run on libuv's pool, and must not run in such a worker: stopping it mid-call aborts the process.
   * A function when it depends on the input (`$2x$` computes only 8-bit passwords in JavaScript).
   */
  readonly blocking: boolean | ((password: Uint8Array, stored: StoredCredential) => boolean);
  /** Does this stored value look like this scheme's output? Cheap, no hashing. */
  identify(stored: StoredCredential): boolean;
  /**
   * Check a password (its UTF-8 bytes, untouched). A wrong password is `false`, never an exception;
   * throw `HashFormatError` for a malformed hash and `HashBoundsError` for parameters over the bounds,
   * both before doing any expensive work.
   */
  verify(password: Uint8Array, stored: StoredCredential, ctx: SchemeContext): Promise<boolean>;
  /**
   * The string ZITADEL can import for this stored hash without knowing the password: the hash itself
   * (native) or a lossless re-encoding into a passwap format. `null` when only a re-hash can help.
   */
  toZitadel(stored: StoredCredential, ctx: SchemeContext): string | null;
  /**
   * A well-formed stored value with this scheme's typical cost and random content, used to spend one
   * verification for an unknown user so that timing does not reveal which users exist.
   */
  dummy?(ctx: SchemeContext): StoredCredential;
}

/** Whether `scheme` computes this password and stored value in JavaScript, to be run in a worker thread. */
export function runsInWorker(scheme: PasswordScheme, password: Uint8Array, stored: StoredCredential): boolean {
  return typeof scheme.blocking === 'function' ? scheme.blocking(password, stored) : scheme.blocking;
}

/** The stored hash is not well-formed for the scheme. Carries no part of the hash. */
export class HashFormatError extends Error {
  override readonly name = 'HashFormatError';
  readonly code = 'HASH_MALFORMED';
  constructor(readonly scheme: string, readonly detail: string) {
    super(`${scheme}: malformed stored hash (${detail})`);
  }
}

/** The stored hash asks for more work than the configured bounds allow. Carries no part of the hash. */
export class HashBoundsError extends Error {
  override readonly name = 'HashBoundsError';
  readonly code = 'HASH_OUT_OF_BOUNDS';
  constructor(readonly scheme: string, readonly detail: string) {
    super(`${scheme}: stored hash parameters exceed the configured bounds (${detail})`);
  }
}
