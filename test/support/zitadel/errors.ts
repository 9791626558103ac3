import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';

export { Code };

/**
 * An error as ZITADEL returns it: the gRPC code, and a `zitadel.v1.ErrorDetail{id, message}` carrying its
 * error id and message key. ZITADEL translates the key for the status message; the double keeps the key
 * there ("Errors.User.AlreadyExists (V3-DKcz5)"), so callers can match on either.
 */
export function zitadelError(code: Code, id: string, key: string): ConnectError {
  return new ConnectError(`${key} (${id})`, code, undefined, [{ desc: ErrorDetailSchema, value: { id, message: key } }]);
}

/** A protoc-gen-validate refusal: ZITADEL validates request messages before any command runs. */
export function validationError(field: string, rule: string): ConnectError {
  return new ConnectError(`invalid ${field}: ${rule}`, Code.InvalidArgument);
}

export function requireText(value: string | undefined, field: string, max = 200): string {
  const text = value ?? '';
  if (text.length < 1 || [...text].length > max) throw validationError(field, `value length must be between 1 and ${max} runes, inclusive`);
  return text;
}

/** The key of a ZITADEL error, whatever side of the wire it was thrown on. */
export function errorKey(error: unknown): string | undefined {
  const detail = ConnectError.from(error).findDetails(ErrorDetailSchema)[0];
  return detail?.message;
}
