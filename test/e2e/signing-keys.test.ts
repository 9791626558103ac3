import test from 'ava';
import { calculateJwkThumbprint, createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { startTestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS } from '../support/legacy-users.js';
import { login, zitadelRelyingParty } from '../support/relying-party.js';

test.after.always(closeDatabases);

/** A private signing key as operators bring their own: with kid, but no `alg`. */
async function keyWithoutAlg(generateAs: string, options: { crv?: string } = {}) {
  const { privateKey } = await generateKeyPair(generateAs, { extractable: true, ...options });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk) };
}

const cases = [
  { key: () => keyWithoutAlg('RS256'), expected: 'RS256', name: 'RSA' },
  { key: () => keyWithoutAlg('ES256'), expected: 'ES256', name: 'EC P-256' },
  { key: () => keyWithoutAlg('ES384'), expected: 'ES384', name: 'EC P-384' },
  { key: () => keyWithoutAlg('EdDSA', { crv: 'Ed25519' }), expected: 'EdDSA', name: 'OKP Ed25519' },
];

for (const { key, expected, name } of cases) {
  test(`a first key without alg (${name}) signs ID tokens with ${expected}, and logins work`, async (t) => {
    const db = await bridgeDatabaseForE2E();
    const table = uniqueTableName('legacy_keys');
    await createLegacyTable(db, table, STANDARD_USERS);
    const bridge = await startTestBridge({ db, legacy: legacySection(table), jwks: { keys: [await key()] } });
    t.teardown(() => bridge.close());
    const rp = await zitadelRelyingParty(bridge);
    t.deepEqual(rp.serverMetadata().id_token_signing_alg_values_supported, [expected]);
    const { tokens } = await login(rp, bridge, 'alice', 'wonderland');
    t.is(decodeProtectedHeader(tokens.id_token!).alg, expected);
    const jwks = createRemoteJWKSet(new URL(rp.serverMetadata().jwks_uri!));
    await t.notThrowsAsync(jwtVerify(tokens.id_token!, jwks, { issuer: bridge.issuer, audience: bridge.clientId }));
  });
}
