import type { PasswordScheme, StoredCredential } from './scheme.js';
import { argon2dScheme, argon2idScheme, argon2iScheme } from './schemes/argon2.js';
import { aspnetIdentityV2Scheme, aspnetIdentityV3Scheme } from './schemes/aspnet.js';
import { atlassianPbkdf2Sha1Scheme } from './schemes/atlassian.js';
import { bcrypt2xScheme, bcryptScheme } from './schemes/bcrypt.js';
import { sha256CryptScheme, sha512CryptScheme } from './schemes/crypt-sha2.js';
import { desCryptScheme } from './schemes/des-crypt.js';
import {
  joomlaMd5Scheme,
  md5HexScheme,
  md5SaltedScheme,
  sha1HexScheme,
  sha1SaltedScheme,
  sha256HexScheme,
  sha256SaltedScheme,
  sha512HexScheme,
  sha512SaltedScheme,
} from './schemes/digest.js';
import {
  djangoArgon2Scheme,
  djangoBcryptScheme,
  djangoBcryptSha256Scheme,
  djangoMd5Scheme,
  djangoPbkdf2Sha1Scheme,
  djangoPbkdf2Sha256Scheme,
  djangoScryptScheme,
  djangoSha1Scheme,
  djangoUnsaltedMd5Scheme,
  djangoUnsaltedSha1Scheme,
} from './schemes/django.js';
import { firebaseScryptScheme } from './schemes/firebase.js';
import { keycloakArgon2Scheme, keycloakPbkdf2Scheme } from './schemes/keycloak.js';
import {
  ldapCryptScheme,
  ldapMd5Scheme,
  ldapPbkdf2Sha256Scheme,
  ldapSha256Scheme,
  ldapSha512Scheme,
  ldapShaScheme,
  ldapSmd5Scheme,
  ldapSsha256Scheme,
  ldapSsha512Scheme,
  ldapSshaScheme,
} from './schemes/ldap.js';
import { apr1Md5Scheme, md5CryptScheme } from './schemes/md5-crypt.js';
import { mysql41Scheme } from './schemes/mysql.js';
import { pbkdf2Sha1Scheme, pbkdf2Sha256Scheme, pbkdf2Sha512Scheme } from './schemes/pbkdf2.js';
import { drupal7Scheme, drupal7UpgradedMd5Scheme, phpassScheme } from './schemes/phpass.js';
import { scryptScheme } from './schemes/scrypt.js';
import {
  springArgon2Scheme,
  springBcryptScheme,
  springNoopScheme,
  springPbkdf2Scheme,
  springScryptScheme,
  springSha256Scheme,
} from './schemes/spring.js';
import { werkzeugHmacScheme, werkzeugPbkdf2Scheme, werkzeugScryptScheme } from './schemes/werkzeug.js';
import { wordpressBcryptScheme } from './schemes/wordpress.js';

/** Every hash family the bridge knows, by id. Adding a family means adding a module and a line here. */
const ALL: readonly PasswordScheme[] = [
  bcryptScheme,
  bcrypt2xScheme,
  argon2idScheme,
  argon2iScheme,
  argon2dScheme,
  scryptScheme,
  firebaseScryptScheme,
  pbkdf2Sha256Scheme,
  pbkdf2Sha1Scheme,
  pbkdf2Sha512Scheme,
  sha256CryptScheme,
  sha512CryptScheme,
  md5CryptScheme,
  apr1Md5Scheme,
  desCryptScheme,
  phpassScheme,
  drupal7Scheme,
  drupal7UpgradedMd5Scheme,
  wordpressBcryptScheme,
  djangoPbkdf2Sha256Scheme,
  djangoPbkdf2Sha1Scheme,
  djangoArgon2Scheme,
  djangoBcryptSha256Scheme,
  djangoBcryptScheme,
  djangoSha1Scheme,
  djangoMd5Scheme,
  djangoUnsaltedMd5Scheme,
  djangoUnsaltedSha1Scheme,
  djangoScryptScheme,
  werkzeugPbkdf2Scheme,
  werkzeugScryptScheme,
  werkzeugHmacScheme,
  aspnetIdentityV2Scheme,
  aspnetIdentityV3Scheme,
  keycloakPbkdf2Scheme,
  keycloakArgon2Scheme,
  springBcryptScheme,
  springNoopScheme,
  springPbkdf2Scheme,
  springSha256Scheme,
  springScryptScheme,
  springArgon2Scheme,
  ldapShaScheme,
  ldapSshaScheme,
  ldapMd5Scheme,
  ldapSmd5Scheme,
  ldapSha256Scheme,
  ldapSsha256Scheme,
  ldapSha512Scheme,
  ldapSsha512Scheme,
  ldapCryptScheme,
  ldapPbkdf2Sha256Scheme,
  mysql41Scheme,
  md5HexScheme,
  sha1HexScheme,
  sha256HexScheme,
  sha512HexScheme,
  md5SaltedScheme,
  sha1SaltedScheme,
  sha256SaltedScheme,
  sha512SaltedScheme,
  joomlaMd5Scheme,
  atlassianPbkdf2Sha1Scheme,
];

export const registry: ReadonlyMap<string, PasswordScheme> = new Map(ALL.map((scheme) => [scheme.id, scheme]));

export function schemeIds(): string[] {
  return [...registry.keys()];
}

export function getScheme(id: string): PasswordScheme | undefined {
  return registry.get(id);
}

/** The first of `ids` (in that order) whose scheme recognises the stored value. */
export function identifyAmong(ids: readonly string[], stored: StoredCredential): PasswordScheme | undefined {
  for (const id of ids) {
    const scheme = registry.get(id);
    if (scheme?.identify(stored)) return scheme;
  }
  return undefined;
}
