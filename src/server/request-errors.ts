import type { Logger } from './logger.js';

/** Error codes of a connection the client broke: reset, closed early, or sent bytes that are no HTTP. */
const CLIENT_ABORT_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Whether an error comes from the client going away mid-request (or speaking broken HTTP) rather than from
 * the bridge. Anyone can cause these at will, so they are no server errors.
 */
export function isClientAbort(error: unknown): boolean {
  const { code, type, message } = (error ?? {}) as { code?: unknown; type?: unknown; message?: unknown };
  if (typeof code === 'string' && (CLIENT_ABORT_CODES.has(code) || code.startsWith('HPE_'))) return true;
  // raw-body's and Node's words for a request body cut off.
  return type === 'request.aborted' || message === 'request aborted' || message === 'aborted';
}

/**
 * Log an error a request ended with: a client that went away at debug level, one line without a stack
 * (anyone could otherwise fill the error log); everything else as the server error it is.
 */
export function logRequestError(logger: Logger, error: unknown, path: string | undefined, message: string): void {
  if (isClientAbort(error)) {
    logger.debug({ code: (error as { code?: unknown }).code, path }, 'client went away mid-request');
    return;
  }
  logger.error({ err: error, path }, message);
}
