import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { exportJWK, generateKeyPair } from 'jose';
import { parseConfig } from '../../src/config/load.js';
import { KeysError, readJwks, signingAlgorithmOf } from '../../src/oidc/keys.js';
import { signingKeysOf } from '../../src/server/resources.js';

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
  const rsa = await exportJWK((await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })).privateKey);
  t.is(signingAlgorithmOf({ ...rsa, kid: 'rsa' }), 'RS256');
  t.is(signingAlgorithmOf({ ...rsa, kid: 'rsa', alg: 'PS256' }), 'PS256');
});

test('an RSA key under 2048 bits is refused when read, not at the first token request', async (t) => {
  // As an old IdP's key would be (jose itself will not make one this small).
  const small = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' }), kid: 'legacy-1024' };
  t.throws(read([small]), { instanceOf: KeysError, message: /key "legacy-1024": an RSA key of 1024 bits cannot sign ID tokens; it needs at least 2048/ });
  const enough = { ...(await exportJWK((await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })).privateKey)), kid: 'rsa-2048' };
  t.notThrows(read([enough]));
  t.throws(() => signingAlgorithmOf({ kty: 'RSA', kid: 'no-modulus' }), { instanceOf: KeysError, message: /of 0 bits/ });
});

test('a key whose signing algorithm cannot be told, or whose alg does not fit it, is refused naming the key', (t) => {
  const secp256k1 = { kty: 'EC', crv: 'secp256k1', x: 'x', y: 'y', d: 'd', kid: 'bitcoin-key' };
  const error = t.throws(read([secp256k1]), { instanceOf: KeysError });
  t.regex(error!.message, /keys\[0\]: key "bitcoin-key": key type EC secp256k1 cannot sign ID tokens/);
  const mismatched = { kty: 'RSA', n: Buffer.alloc(256, 0xff).toString('base64url'), e: 'AQAB', d: 'd', kid: 'rsa-key', alg: 'ES256' };
  t.throws(read([mismatched]), { instanceOf: KeysError, message: /key "rsa-key": alg ES256 does not fit its key type RSA/ });
  const symmetric = { kty: 'oct', k: 'secret', d: 'd', kid: 'hmac-key' };
  t.throws(read([symmetric]), { instanceOf: KeysError, message: /hmac-key/ });
});

test("with a ZITADEL client, a first key ZITADEL cannot verify is refused when the keys are read; other clients may use it", async (t) => {
  const es384 = { ...(await exportJWK((await generateKeyPair('ES384', { extractable: true })).privateKey)), kid: 'p384' };
  const file = join(mkdtempSync(join(tmpdir(), 'bridge-jwks-')), 'jwks.json');
  writeFileSync(file, JSON.stringify({ keys: [es384] }));
  const config = (client: object) =>
    parseConfig({ issuer: 'https://bridge.example.com', legacy: { table: 'users' }, oidc: { jwksFile: file, clients: [{ clientId: 'c', clientSecret: 's', ...client }], cookieKeys: ['k'] } });
  t.throws(() => signingKeysOf(config({ zitadelUrl: 'https://auth.example.com' })), {
    instanceOf: KeysError,
    message: /signs ID tokens with ES384, which ZITADEL cannot verify \(it accepts RS256, PS256, ES256\)/,
  });
  t.is(signingKeysOf(config({ redirectUris: ['https://rp.example.com/cb'] })).keys[0]!.kid, 'p384');
  const es256 = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid: 'p256' };
  writeFileSync(file, JSON.stringify({ keys: [es256, es384] }));
  t.is(signingKeysOf(config({ zitadelUrl: 'https://auth.example.com' })).keys.length, 2, 'older keys of other algorithms may stay published');
});

test('a JWKS file that is not JSON is refused without quoting its text (private key material)', (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'bridge-jwks-')), 'jwks.json');
  writeFileSync(file, '{"keys":[{"kty":"RSA","d":"PRIVATE-PART-abc123" "n":"x"}]}');
  const error = t.throws(() => readJwks(file), { instanceOf: KeysError, message: /is not valid JSON \(at character \d+\)/ });
  t.false(error!.message.includes('PRIVATE-PART'));
});
