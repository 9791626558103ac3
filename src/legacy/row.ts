import type { ColumnConfig } from '../config/schema.js';
import type { LegacyProfile, LegacyUser } from './directory.js';

/** Result column aliases the generated queries use; explicit queries use the configured names. */
export type Row = Record<string, unknown>;

const TRUE_WORDS = new Set(['1', 't', 'true', 'y', 'yes', 'on']);

/** Legacy databases say "true" in many ways: booleans, 0/1, 't', 'yes', or a verification timestamp. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  if (value instanceof Date) return true;
  if (Buffer.isBuffer(value)) return value.some((byte) => byte !== 0);
  const text = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  // A non-empty date-like string (e.g. email_verified_at) counts as true.
  return /^\d{4}-\d{2}-\d{2}/.test(text);
}

function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const result = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  return result === '' ? undefined : result;
}

type ProfileKey = keyof LegacyProfile;
const BOOLEAN_FIELDS: ReadonlySet<ProfileKey> = new Set(['emailVerified', 'phoneNumberVerified']);
const PROFILE_FIELDS: readonly ProfileKey[] = [
  'email',
  'emailVerified',
  'givenName',
  'familyName',
  'name',
  'nickname',
  'preferredUsername',
  'phoneNumber',
  'phoneNumberVerified',
  'locale',
];

/** Map one result row to a user, using the configured column (or alias) names. */
export function rowToUser(row: Row, columns: ColumnConfig): LegacyUser {
  const profile: Record<string, string | boolean> = {};
  for (const field of PROFILE_FIELDS) {
    const column = columns[field];
    if (!column) continue;
    const raw = row[column];
    if (BOOLEAN_FIELDS.has(field)) {
      if (raw !== null && raw !== undefined) profile[field] = truthy(raw);
      continue;
    }
    const value = text(raw);
    if (value !== undefined) profile[field] = value;
  }
  const hash = text(row[columns.passwordHash]);
  const salt = columns.salt ? text(row[columns.salt]) : undefined;
  return {
    id: String(row[columns.id]),
    credential: hash ? { hash, salt: salt ?? null } : null,
    disabled: truthy(row.disabled),
    profile: profile as LegacyProfile,
  };
}
