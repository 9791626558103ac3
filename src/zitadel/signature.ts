import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header ZITADEL signs Actions v2 target calls with: `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`. */
export const SIGNATURE_HEADER = 'zitadel-signature';

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

interface ParsedHeader {
  readonly seconds: number;
  readonly signatures: Buffer[];
}

function parse(header: string): ParsedHeader | undefined {
  let seconds: number | undefined;
  const signatures: Buffer[] = [];
  for (const pair of header.split(',')) {
    const [name, value, extra] = pair.trim().split('=');
    if (extra !== undefined || value === undefined) return undefined;
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value)) return undefined;
      seconds = Number(value);
    } else if (name === 'v1') {
      // SHA-256 in hex; anything else cannot match and is not worth comparing.
      if (/^[0-9a-fA-F]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (seconds === undefined || signatures.length === 0 || signatures.length > 8) return undefined;
  return { seconds, signatures };
}

/**
 * Verify a ZITADEL Actions v2 signature over the raw body: HMAC-SHA256(key, "<t>.<body>") must equal one of
 * the `v1` values for one of the keys (several during a rotation), and `t` must be within `toleranceSeconds`
 * of now in either direction. Every comparison runs in constant time and all of them always run.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, keys: readonly string[], toleranceSeconds: number, now = Date.now()): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  const parsed = parse(header);
  if (!parsed) return { ok: false, reason: 'malformed' };
  if (Math.abs(now / 1000 - parsed.seconds) > toleranceSeconds) return { ok: false, reason: 'expired' };
  let matched = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(`${parsed.seconds}.`).update(rawBody).digest();
    for (const candidate of parsed.signatures) {
      if (timingSafeEqual(candidate, expected)) matched = true;
    }
  }
  return matched ? { ok: true } : { ok: false, reason: 'mismatch' };
}
