/** Errors of the password facade, with stable codes callers switch on. None carries a password or hash. */

export { HashBoundsError, HashFormatError } from './scheme.js';

/** No configured scheme recognises the stored value. */
export class UnsupportedHashError extends Error {
  override readonly name = 'UnsupportedHashError';
  readonly code = 'HASH_UNSUPPORTED';
  constructor(readonly schemes: readonly string[]) {
    super(`no configured password scheme (${schemes.join(', ')}) recognises the stored hash`);
  }
}

/** All verification slots and the queue are full: answer "try again" instead of waiting. */
export class PasswordBusyError extends Error {
  override readonly name = 'PasswordBusyError';
  readonly code = 'PASSWORDS_BUSY';
  constructor() {
    super('password verification is saturated; try again shortly');
  }
}

/**
 * A verification computed in a worker thread ran past its deadline and was stopped: there is no verdict.
 * It carries the code of saturation on purpose, so callers answer both alike ("try again"), never as a
 * wrong password.
 */
export class PasswordTimeoutError extends Error {
  override readonly name = 'PasswordTimeoutError';
  readonly code = 'PASSWORDS_BUSY';
  constructor(
    readonly scheme: string,
    readonly deadlineMs: number,
  ) {
    super(`${scheme}: password verification stopped at its deadline of ${deadlineMs} ms; try again shortly`);
  }
}
