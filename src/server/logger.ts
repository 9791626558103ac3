import { pino, type Logger } from 'pino';

/**
 * Paths that must never reach a log line, wherever they appear: credentials, hashes, tokens, secrets.
 * Code never logs them on purpose; this is the net under that rule.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'hash',
  '*.hash',
  'credential',
  '*.credential',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'authorization',
  '*.authorization',
  'Authorization',
  '*.Authorization',
  // Request headers an error carries (an HTTP client's error, say), as sent: any case, one level deeper too.
  'headers.cookie',
  '*.headers.cookie',
  '*.*.headers.cookie',
  '*.headers.authorization',
  '*.*.headers.authorization',
  '*.headers.Authorization',
  '*.*.headers.Authorization',
  '*.headers.Cookie',
  '*.*.headers.Cookie',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'legacy-bridge' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

export type { Logger };
