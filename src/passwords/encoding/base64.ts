/**
 * Base64 in the variants legacy formats use: standard, passlib's "adapted" alphabet (`.` for `+`, no
 * padding), with padding required, forbidden or optional, and optionally strict (canonical: unused
 * trailing bits must be zero), since ZITADEL's decoders differ exactly there.
 */

const STANDARD = /^[A-Za-z0-9+/]*$/;

export interface Base64Rules {
  /** `ab64` is passlib's adapted alphabet: `.` instead of `+`. */
  readonly alphabet?: 'standard' | 'ab64';
  readonly padding?: 'required' | 'forbidden' | 'optional';
  /** Refuse non-canonical input (non-zero unused bits). */
  readonly strict?: boolean;
}

/** Decoded bytes, or `undefined` when the text breaks the rules. */
export function decodeBase64(text: string, rules: Base64Rules = {}): Buffer | undefined {
  const { alphabet = 'standard', padding = 'optional', strict = false } = rules;
  const pad = text.length - text.replace(/=+$/, '').length;
  let body = text.slice(0, text.length - pad);
  if (pad > 2 || (pad > 0 && padding === 'forbidden')) return undefined;
  if (alphabet === 'ab64') {
    if (body.includes('+')) return undefined;
    body = body.replaceAll('.', '+');
  }
  if (!STANDARD.test(body)) return undefined;
  const rest = body.length % 4;
  if (rest === 1) return undefined;
  const expectedPad = (4 - rest) % 4;
  if (pad > 0 && pad !== expectedPad) return undefined;
  if (padding === 'required' && pad !== expectedPad) return undefined;
  const bytes = Buffer.from(body, 'base64');
  if (strict && bytes.toString('base64').replace(/=+$/, '') !== body) return undefined;
  return bytes;
}

export function encodeBase64(bytes: Uint8Array, padding: boolean): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return padding ? text : text.replace(/=+$/, '');
}

/** passlib's adapted base64: standard alphabet with `.` for `+`, no padding. */
export function encodeAb64(bytes: Uint8Array): string {
  return encodeBase64(bytes, false).replaceAll('+', '.');
}
