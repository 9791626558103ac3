import type { ColumnConfig } from '../config/schema.js';
import { LegacyUnavailableError, type LegacyProfile, type LegacyUser } from './directory.js';

/** Result column aliases the generated queries use; explicit queries use the configured names. */
export type Row = Record<string, unknown>;

const TRUE_WORDS = new Set(['t', 'true', 'y', 'yes', 'on']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/;

/** Legacy databases say "true" in many ways: booleans, 0/1, 't', 'yes', or a verification timestamp. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value !== 0 && value !== 0n;
  if (value instanceof Date) return true;
  // Bytes here are text (VARBINARY, bytea): MySQL BIT columns arrive as numbers already.
  const text = (value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value)).trim().toLowerCase();
  // BIGINT, DECIMAL, int8 and numeric arrive as strings: '2' and '1.00' are true, '0.00' is false.
  if (NUMBER.test(text)) return Number(text) !== 0;
  if (TRUE_WORDS.has(text)) return true;
  // A non-empty date-like string (e.g. email_verified_at) counts as true.
  return /^\d{4}-\d{2}-\d{2}/.test(text);
}

function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  const result = value instanceof Uint8Array ? Buffer.from(value).toString('utf8') : String(value);
  return result === '' ? undefined : result;
}

/**
 * A profile column: blanks around it dropped, and one of blanks only is no value. Old apps store ' ' for
 * "no name", and ZITADEL refuses a user whose trimmed given or family name is empty.
 */
function profileText(value: unknown): string | undefined {
  return text(value)?.trim() || undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** How to get a binary column as text; table mode cannot select an expression, explicit queries can. */
const asText = (column: string) =>
  `select it as text in legacy.queries, e.g. HEX(${column}) AS ${column} on MySQL or encode(${column}, 'hex') AS ${column} on PostgreSQL`;

/**
 * A hash or salt column. Bytes that are UTF-8 text (a hash stored in VARBINARY) are that text; other bytes
 * would be corrupted by decoding, so that user could never sign in: refused instead.
 */
function secret(value: unknown, column: string): string | undefined {
  if (!(value instanceof Uint8Array)) return text(value);
  // BINARY(n) pads with NUL bytes up to its width; no password format holds a NUL.
  let end = value.length;
  while (end > 0 && value[end - 1] === 0) end--;
  try {
    return text(strictUtf8.decode(value.subarray(0, end)));
  } catch {
    throw new LegacyUnavailableError(
      `legacy column '${column}' holds binary data, which cannot be read as the text a password format expects; ${asText(column)} (or base64, as the format expects)`,
    );
  }
}

/**
 * The id becomes `sub`, which ZITADEL links by forever: a row without a usable one is refused, never
 * mapped to a `sub` such as "undefined" that every such user would share.
 */
function idOf(row: Row, column: string): string {
  const value = row[column];
  if (value === undefined) {
    throw new LegacyUnavailableError(
      `the legacy user row has no column '${column}' (legacy.columns.id; it has: ${Object.keys(row).join(', ')}). ` +
        'Name the id column as the result names it: without a table prefix in table mode; in legacy.queries as its alias, ' +
        'quoted on PostgreSQL if it has capitals (unquoted aliases are lower-cased)',
    );
  }
  if (value === null || value === '') {
    throw new LegacyUnavailableError(`a legacy user row has no id in column '${column}' (legacy.columns.id): use a column that is set and unique for every user`);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  // Decoding bytes (BINARY(16), bytea) as text is lossy: distinct ids would collapse into one `sub`.
  const kind = value instanceof Uint8Array ? 'binary data' : 'neither text nor a number';
  throw new LegacyUnavailableError(`legacy column '${column}' (legacy.columns.id) holds ${kind}; ${asText(column)}`);
}

/**
 * A language tag from what legacy tables hold ('de_DE', 'en-us', 'de_DE.UTF-8'), or none for what is not one
 * ('English', 'C'): ZITADEL reads the claim as a BCP 47 tag, and one it cannot parse fails the whole login.
 */
export function languageTag(value: string | undefined): string | undefined {
  const candidate = value?.replace(/[.@].*$/, '').replaceAll('_', '-').trim();
  // Two or three letters first: longer primary subtags are valid BCP 47 syntax that ZITADEL still refuses.
  if (!candidate || !/^[A-Za-z]{2,3}(-|$)/.test(candidate)) return undefined;
  try {
    return Intl.getCanonicalLocales(candidate)[0];
  } catch {
    return undefined;
  }
}

/**
 * A phone number in E.164 ('+41 79 000 00 00' is +41790000000), or none: ZITADEL parses the number when it
 * creates the user and refuses one it cannot read ('n/a'), failing that user's migration. A number without
 * its country code cannot be placed, so it is left out too.
 */
export function e164(value: string | undefined): string | undefined {
  const compact = value?.replace(/[\s\-().\/]/g, '');
  if (!compact) return undefined;
  const international = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  return /^\+[1-9]\d{6,14}$/.test(international) ? international : undefined;
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
    const value = field === 'locale' ? languageTag(profileText(raw)) : field === 'phoneNumber' ? e164(profileText(raw)) : profileText(raw);
    if (value !== undefined) profile[field] = value;
  }
  // Verified says something about a number; without one it would claim a phone nobody can reach.
  if (profile.phoneNumber === undefined) delete profile.phoneNumberVerified;
  const id = idOf(row, columns.id);
  const hash = secret(row[columns.passwordHash], columns.passwordHash);
  const salt = columns.salt ? secret(row[columns.salt], columns.salt) : undefined;
  return {
    id,
    credential: hash ? { hash, salt: salt ?? null } : null,
    disabled: truthy(row.disabled),
    profile: profile as LegacyProfile,
  };
}
