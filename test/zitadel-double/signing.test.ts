import { createHmac } from 'node:crypto';
import test from 'ava';
import { badlySignedRequest, computeSignatureHeader, SIGNATURE_HEADER, signedRequest, verifySignatureHeader } from '../support/zitadel/index.js';

// ZITADEL-Signature as pkg/actions/signing.go computes and validates it.

const key = 'signing-key-of-the-target';
const payload = { fullMethod: '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent', response: { userId: '' } };

test('the header is t=<unix seconds>,v1=<hex HMAC-SHA256(key, "<t>.<body>")>', (t) => {
  const at = new Date(1_700_000_000_000);
  const header = computeSignatureHeader('{"a":1}', key, at);
  const expected = createHmac('sha256', key).update('1700000000.{"a":1}').digest('hex');
  t.is(header, `t=1700000000,v1=${expected}`);
  t.true(verifySignatureHeader('{"a":1}', header, key, 300, new Date(1_700_000_100_000)).ok);
  // During a key rotation each key adds a v1; either verifies.
  const rotated = computeSignatureHeader('{"a":1}', ['old', key], at);
  t.true(verifySignatureHeader('{"a":1}', rotated, key, 300, at).ok);
});

test('signed requests verify; each flaw is refused for its reason', (t) => {
  const good = signedRequest(payload, key);
  t.true(verifySignatureHeader(good.body, good.headers[SIGNATURE_HEADER], key).ok);
  const reasons = (['wrong-key', 'old-timestamp', 'tampered-body', 'missing', 'malformed'] as const).map((flaw) => {
    const bad = badlySignedRequest(payload, key, flaw);
    const verdict = verifySignatureHeader(bad.body, bad.headers[SIGNATURE_HEADER], key);
    return verdict.ok ? 'ok' : verdict.reason;
  });
  t.deepEqual(reasons, ['no-valid-signature', 'too-old', 'no-valid-signature', 'not-signed', 'invalid-header']);
});
