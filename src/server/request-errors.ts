import type { Logger } from './logger.js';

/**
 * Error codes of a broken connection: reset, closed early. The client's, or a database's (a legacy or bridge
 * database reset mid-query has the same code), so they count as the client's only when its connection is gone.
 */
const CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/** The request whose error is logged: its connection tells a client that left from a database that did. */
export interface FailedRequest {
  readonly path?: string | undefined;
  readonly req?: { readonly destroyed?: boolean; readonly socket?: { readonly destroyed?: boolean } | null } | undefined;
}

/**
 * Whether an error comes from the client going away mid-request (or speaking broken HTTP) rather than from
 * the bridge. Anyone can cause these at will, so they are no server errors.
 */
export function isClientAbort(error: unknown, request?: FailedRequest): boolean {
  const { code, type, message } = (error ?? {}) as { code?: unknown; type?: unknown; message?: unknown };
  if (typeof code === 'string' && code.startsWith('HPE_')) return true;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) {
    const req = request?.req;
    return req === undefined || req.destroyed === true || req.socket?.destroyed === true || !req.socket;
  }
  // raw-body's and Node's words for a request body cut off.
  return type === 'request.aborted' || message === 'request aborted' || message === 'aborted';
}

/**
 * Log an error a request ended with: a client that went away at debug level, one line without a stack
 * (anyone could otherwise fill the error log); everything else as the server error it is.
 */
export function logRequestError(logger: Logger, error: unknown, request: FailedRequest | undefined, message: string): void {
  const path = request?.path;
  if (isClientAbort(error, request)) {
    logger.debug({ code: (error as { code?: unknown }).code, path }, 'client went away mid-request');
    return;
  }
  logger.error({ err: error, path }, message);
}
