/**
 * Password checking against legacy hashes, and the hand-off of hashes to ZITADEL. The rest of the
 * application uses only this module.
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
export { HashBoundsError, HashFormatError, PasswordBusyError, UnsupportedHashError } from './errors.js';
export { schemeIds } from './registry.js';
export type { StoredCredential } from './scheme.js';
export {
  checkZitadelImport,
  claimZitadelHash,
  verifyZitadelHash,
  ZitadelHashError,
  ZITADEL_VERIFIERS,
  type ZitadelLimits,
  type ZitadelVerifier,
} from './zitadel-format/index.js';
