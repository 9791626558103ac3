import { decodeBase64 } from '../encoding/base64.js';

/**
 * passwap parses most formats with Go's `fmt.Sscanf` after turning `$` into spaces: fields are runs of
 * non-space characters, so empty fields vanish and trailing extra fields are ignored. These helpers
 * reproduce that, and Go's base64 decoders, closely enough to accept and refuse the same strings.
 */

export function fields(encoded: string): string[] {
  return encoded.replaceAll('$', ' ').split(/\s+/).filter((field) => field.length > 0);
}

/** Go's `%d` into an unsigned field of `bits` bits (signs are not accepted here). */
export function goUint(text: string | undefined, bits: number): number | undefined {
  if (text === undefined || !/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return value < 2 ** bits ? value : undefined;
}

/** Go's `strconv.Atoi`: optional sign, decimal digits. */
export function goAtoi(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d{1,18}$/.test(text)) return undefined;
  return Number(text);
}

/** `base64.RawStdEncoding.Strict()`: no padding, canonical trailing bits. */
export function rawStdStrict(text: string): Buffer | undefined {
  return decodeBase64(text, { padding: 'forbidden', strict: true });
}

/** `base64.StdEncoding`: padding required, trailing bits not checked. */
export function stdPadded(text: string): Buffer | undefined {
  return decodeBase64(text, { padding: 'required' });
}

/** passwap's `AutoDecodePbkdf2`: padding trimmed, standard alphabet if a `+` occurs, else passlib's. */
export function autoDecodePbkdf2(text: string): Buffer | undefined {
  const trimmed = text.replace(/=+$/, '');
  return decodeBase64(trimmed, { padding: 'forbidden', alphabet: trimmed.includes('+') ? 'standard' : 'ab64' });
}
