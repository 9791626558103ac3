import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * ZITADEL's Actions v2 request signature (pkg/actions/signing.go): `ZITADEL-Signature: t=<unix seconds>,v1=<hex>`
 * where hex is HMAC-SHA256(signingKey, "<t>.<raw body>"); one `v1=` per key during a rotation. ZITADEL's own
 * validator accepts a timestamp up to 300 s old (a future one too).
 */

export const SIGNATURE_HEADER = 'ZITADEL-Signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: 'not-signed' | 'invalid-header' | 'too-old' | 'no-valid-signature' };

function signature(seconds: number, body: string | Uint8Array, key: string): Buffer {
  return createHmac('sha256', key).update(`${seconds}.`).update(body).digest();
}

export function computeSignatureHeader(body: string | Uint8Array, keys: string | readonly string[], at: Date = new Date()): string {
  const seconds = Math.floor(at.getTime() / 1000);
  const list = typeof keys === 'string' ? [keys] : keys;
  return [`t=${seconds}`, ...list.map((key) => `v1=${signature(seconds, body, key).toString('hex')}`)].join(',');
}

/** The receiving side, exactly as ZITADEL's validator parses the header (for tests of targets). */
export function verifySignatureHeader(
  body: string | Uint8Array,
  header: string | undefined,
  key: string,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  now: Date = new Date(),
): SignatureVerdict {
  if (!header) return { ok: false, reason: 'not-signed' };
  let seconds = 0;
  const signatures: Buffer[] = [];
  for (const pair of header.split(',')) {
    const parts = pair.split('=');
    if (parts.length !== 2) return { ok: false, reason: 'invalid-header' };
    const [name, value = ''] = parts;
    if (name === 't') {
      if (!/^[+-]?\d+$/.test(value)) return { ok: false, reason: 'invalid-header' };
      seconds = Number(value);
    } else if (name === 'v1' && /^(?:[0-9a-fA-F]{2})*$/.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
  }
  if (signatures.length === 0) return { ok: false, reason: 'no-valid-signature' };
  if (now.getTime() / 1000 - seconds > toleranceSeconds) return { ok: false, reason: 'too-old' };
  const expected = signature(seconds, body, key);
  const matches = signatures.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
  return matches ? { ok: true } : { ok: false, reason: 'no-valid-signature' };
}

export interface SignedRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** A POST body and headers as ZITADEL would send them to a target with this signing key. */
export function signedRequest(json: unknown, key: string, at: Date = new Date()): SignedRequest {
  const body = JSON.stringify(json);
  return { body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: computeSignatureHeader(body, key, at) } };
}

export type SignatureFlaw = 'wrong-key' | 'old-timestamp' | 'tampered-body' | 'missing' | 'malformed';

/** The same request with one flaw, for tests of a target's refusals. */
export function badlySignedRequest(json: unknown, key: string, flaw: SignatureFlaw): SignedRequest {
  const good = signedRequest(json, key);
  switch (flaw) {
    case 'wrong-key':
      return signedRequest(json, `${key}-not-it`);
    case 'old-timestamp':
      return signedRequest(json, key, new Date(Date.now() - (DEFAULT_TOLERANCE_SECONDS + 60) * 1000));
    case 'tampered-body':
      return { body: `${good.body} `, headers: good.headers };
    case 'missing':
      return { body: good.body, headers: { 'content-type': 'application/json' } };
    case 'malformed':
      return { body: good.body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: 'v1=zz,t' } };
  }
}
