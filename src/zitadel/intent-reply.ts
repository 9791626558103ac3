import type { Claims } from '../oidc/claims.js';
import { isJsonObject, type JsonObject } from '../server/body.js';


export interface IntentHandOff {
  /** The hash to create the user with; absent when there is none to give. */
  readonly hash?: string;
  /** The legacy user's claims (as the bridge issues them). */
  readonly claims: Claims;
  readonly legacyId: string;
  readonly metadataKey: string;
}


/** Where the user ZITADEL is about to create is described: the deprecated `addHumanUser` and, since 2026, `userAction.createUser.human`. */
export function creationTargets(response: JsonObject): JsonObject[] {
  const targets: JsonObject[] = [];
  if (isJsonObject(response.addHumanUser)) targets.push(response.addHumanUser);
  const create = isJsonObject(response.userAction) ? response.userAction.createUser : undefined;
  if (isJsonObject(create) && isJsonObject(create.human)) targets.push(create.human);
  return targets;
}

function applyTo(target: JsonObject, handOff: IntentHandOff): void {
  const { claims } = handOff;
  if (handOff.hash) {
    // `password` and `hashedPassword` are one oneof: set one, drop the other.
    delete target.password;
    target.hashedPassword = { hash: handOff.hash, changeRequired: false };
  }
  const profile: JsonObject = isJsonObject(target.profile) ? target.profile : {};
  if (typeof claims.given_name === 'string') profile.givenName = claims.given_name;
  if (typeof claims.family_name === 'string') profile.familyName = claims.family_name;
  if (typeof claims.name === 'string') profile.displayName = claims.name;
  if (typeof claims.nickname === 'string') profile.nickName = claims.nickname;
  if (typeof claims.locale === 'string') profile.preferredLanguage = claims.locale;
  target.profile = profile;
  if (claims.email_verified === true && typeof claims.email === 'string') {
    const email: JsonObject = isJsonObject(target.email) ? target.email : {};
    // The verification is a oneof too: a verified address replaces any code to send or return.
    delete email.sendCode;
    delete email.returnCode;
    target.email = { ...email, email: typeof email.email === 'string' && email.email ? email.email : claims.email, isVerified: true };
  }
  const metadata = Array.isArray(target.metadata) ? target.metadata.filter((entry) => !(isJsonObject(entry) && entry.key === handOff.metadataKey)) : [];
  metadata.push({ key: handOff.metadataKey, value: Buffer.from(handOff.legacyId, 'utf8').toString('base64') });
  target.metadata = metadata;
}

/**
 * The complete replacement RetrieveIdentityProviderIntent response: the received message unchanged except
 * the password hash, the profile and verified email from the legacy row, and the legacy id as metadata.
 * Everything else — `idpLinks` above all — is left exactly as ZITADEL sent it, so its strict parser and its
 * auto-linking both see what they expect.
 */
export function withHandOff(response: JsonObject, handOff: IntentHandOff): JsonObject {
  const reply = structuredClone(response);
  for (const target of creationTargets(reply)) applyTo(target, handOff);
  return reply;
}
