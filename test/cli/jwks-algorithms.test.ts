import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { exportJWK, generateKeyPair } from 'jose';
import { KeysError, readJwks, signingAlgorithmOf } from '../../src/oidc/keys.js';

/** Write `keys` as a JWKS file and read it the way `serve`, `check-config` and `keys rotate` do. */
function read(keys: object[]) {
  const file = join(mkdtempSync(join(tmpdir(), 'bridge-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys }));
  return () => readJwks(file);
}

test('a key without alg gets the usual algorithm of its type and curve', async (t) => {
  const ec = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: 'ec' };
  t.notThrows(read([ec]));
  t.is(signingAlgorithmOf(ec), 'ES256');
  t.is(signingAlgorithmOf({ kty: 'EC', crv: 'P-521', kid: 'p521' }), 'ES512');
  t.is(signingAlgorithmOf({ kty: 'RSA', kid: 'rsa' }), 'RS256');
  t.is(signingAlgorithmOf({ kty: 'RSA', kid: 'rsa', alg: 'PS256' }), 'PS256');
});

test('a key whose signing algorithm cannot be told, or whose alg does not fit it, is refused naming the key', (t) => {
  const secp256k1 = { kty: 'EC', crv: 'secp256k1', x: 'x', y: 'y', d: 'd', kid: 'bitcoin-key' };
  const error = t.throws(read([secp256k1]), { instanceOf: KeysError });
  t.regex(error!.message, /keys\[0\]: key "bitcoin-key": key type EC secp256k1 cannot sign ID tokens/);
  const mismatched = { kty: 'RSA', n: 'n', e: 'AQAB', d: 'd', kid: 'rsa-key', alg: 'ES256' };
  t.throws(read([mismatched]), { instanceOf: KeysError, message: /key "rsa-key": alg ES256 does not fit its key type RSA/ });
  const symmetric = { kty: 'oct', k: 'secret', d: 'd', kid: 'hmac-key' };
  t.throws(read([symmetric]), { instanceOf: KeysError, message: /hmac-key/ });
});
