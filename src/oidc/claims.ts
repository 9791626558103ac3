import type { BridgeConfig } from '../config/schema.js';
import type { LegacyUser } from '../legacy/directory.js';

/** Which claims each scope releases (OpenID Connect Core §5.4). */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'nickname', 'preferred_username', 'locale'],
  email: ['email', 'email_verified'],
  phone: ['phone_number', 'phone_number_verified'],
} as const;

export type Claims = Record<string, string | boolean>;

/** Split "Ada Lovelace" into given and family name; one word is a given name only. */
function splitName(name: string | undefined): { given?: string; family?: string } {
  const words = name?.trim().split(/\s+/).filter(Boolean) ?? [];
  if (words.length === 0) return {};
  if (words.length === 1) return { given: words[0] };
  return { given: words.slice(0, -1).join(' '), family: words[words.length - 1] };
}

/**
 * Every claim a legacy user has. `given_name` and `family_name` are always present: ZITADEL cannot create a
 * user without them, so they fall back to the display name's parts, then to configured values.
 */
export function userClaims(user: LegacyUser, fallbacks: BridgeConfig['claims']): Claims {
  const p = user.profile;
  const split = splitName(p.name);
  const claims: Claims = {
    sub: user.id,
    given_name: p.givenName ?? split.given ?? fallbacks.givenNameFallback,
    family_name: p.familyName ?? split.family ?? fallbacks.familyNameFallback,
  };
  const name = p.name ?? [p.givenName, p.familyName].filter(Boolean).join(' ');
  if (name) claims.name = name;
  if (p.nickname) claims.nickname = p.nickname;
  if (p.preferredUsername) claims.preferred_username = p.preferredUsername;
  if (p.locale) claims.locale = p.locale;
  if (p.email) {
    claims.email = p.email;
    claims.email_verified = p.emailVerified ?? false;
  }
  if (p.phoneNumber) {
    claims.phone_number = p.phoneNumber;
    claims.phone_number_verified = p.phoneNumberVerified ?? false;
  }
  return claims;
}
