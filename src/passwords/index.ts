/**
 * Password checking against legacy hashes, and the hand-off of hashes to ZITADEL. The rest of the
 * application uses only this module. Example configuration (a PHP application that moved from salted
 * MD5 to bcrypt, handing hashes to a ZITADEL with the md5salted verifier enabled):
 *
 *   legacy:
 *     passwords:
 *       schemes: [bcrypt, md5-salted]        # in order of preference when several match
 *       options: { saltOrder: password+salt }
 *       legacyCharset: latin1                # the old code hashed Latin-1 bytes
 *   handoff:
 *     zitadel: { verifiers: [bcrypt, md5salted] }
 *     rehash: { algorithm: bcrypt, bcryptCost: 12 }
 *
 *   const checker = createPasswordChecker(config.legacy.passwords, logger);
 *   const result = await checker.verify(password, { hash, salt });
 *   if (result.ok) handOff = await createHandOff(config.handoff, config.legacy.passwords).decide({ hash, salt }, result.scheme, password, result);
 */

export { createPasswordChecker, type PasswordChecker, type PasswordLogger, type VerifyResult } from './checker.js';
export { createHandOff, type HandOff, type HandOffPolicy, type VerifiedAs } from './handoff.js';
export {
  handOffConfigSchema,
  passwordsConfigSchema,
  type HandOffConfig,
  type HandOffConfigInput,
  type PasswordsConfig,
  type PasswordsConfigInput,
} from './config.js';
export { HashBoundsError, HashFormatError, PasswordBusyError, PasswordTimeoutError, UnsupportedHashError } from './errors.js';
export { schemeIds } from './registry.js';
export type { StoredCredential } from './scheme.js';
export {
  checkZitadelImport,
  claimZitadelHash,
  DEFAULT_ZITADEL_LIMITS,
  verifyZitadelHash,
  ZITADEL_MAX_HASH_LENGTH,
  ZitadelHashError,
  ZITADEL_VERIFIERS,
  type ZitadelLimits,
  type ZitadelVerifier,
} from './zitadel-format/index.js';
export { writeDjangoPbkdf2, writeLdapSsha, writePhpass, writeSaltedSha256, writeSha512Crypt } from './legacy-writers.js';
