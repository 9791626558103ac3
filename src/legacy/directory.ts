import type { StoredCredential } from '../passwords/scheme.js';

/** Profile data of a legacy user, already typed; what becomes OIDC claims and ZITADEL's profile. */
export interface LegacyProfile {
  readonly email?: string;
  readonly emailVerified?: boolean;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly name?: string;
  readonly nickname?: string;
  readonly preferredUsername?: string;
  readonly phoneNumber?: string;
  readonly phoneNumberVerified?: boolean;
  readonly locale?: string;
}

export interface LegacyUser {
  /** The stable primary key as a string: the `sub` ZITADEL links by, forever. */
  readonly id: string;
  /** The stored password, or null for a user without one. */
  readonly credential: StoredCredential | null;
  readonly disabled: boolean;
  readonly profile: LegacyProfile;
}

export interface ListOptions {
  /** Return users whose id sorts after this one (keyset pagination). */
  readonly after?: string;
  readonly limit: number;
}

/** The legacy user store, read-mostly. Implementations differ only in the database they speak to. */
export interface LegacyDirectory {
  /** The user a typed login name (username or email) belongs to; undefined if none or ambiguous. */
  findByLogin(login: string): Promise<LegacyUser | undefined>;
  findById(id: string): Promise<LegacyUser | undefined>;
  /** Users in id order, for batch migration. */
  list(options: ListOptions): Promise<LegacyUser[]>;
  /**
   * Run the configured "flag as migrated" statement (legacy apps that redirect migrated users read it).
   * Absent when none is configured.
   */
  markMigrated?(id: string, zitadelUserId: string | null): Promise<void>;
  /** Throws `LegacyUnavailableError` unless the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The legacy database did not answer (down, timed out, refused, misconfigured). No user data inside. */
export class LegacyUnavailableError extends Error {
  readonly code = 'LEGACY_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
