/** Hex digests in legacy stores come in either case; decoding is case-insensitive. */

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export function isHex(text: string, bytes?: number): boolean {
  return HEX.test(text) && (bytes === undefined || text.length === bytes * 2);
}

export function decodeHex(text: string): Buffer | undefined {
  return HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}
