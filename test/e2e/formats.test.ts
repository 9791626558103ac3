import test from 'ava';
import type * as client from 'openid-client';
import { alertOf } from '../support/browser.js';
import { startTestBridge, type TestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, type TestUser } from '../support/legacy-users.js';
import { login, startAuthorization, submitLogin, zitadelRelyingParty } from '../support/relying-party.js';
import { GENERIC_FAILURE } from '../../src/login/routes.js';
import { byFormat, loadVectors, wrongPassword, type Vector } from '../passwords/support/vectors.js';

// Real hashes made by independent tools (PHP, passlib, Django, slappasswd, openssl, mkpasswd), logged in
// through the whole flow. One legacy source holds all of them, as a merged legacy database might.
const FORMATS = ['phpass', 'django-pbkdf2-sha256', 'ldap-ssha', 'sha256-salted', 'sha512-crypt', 'drupal7', 'wordpress-bcrypt', 'md5-hex'];
const SALT_ORDER = 'salt+password';

/** The first positive vector of a format that fits this source's settings (one salt order per source). */
function pick(vectors: readonly Vector[]): Vector {
  const fits = vectors.filter((v) => v.expect && (v.params.order === undefined || v.params.order === SALT_ORDER));
  // Prefer a cheap one: tests are not benchmarks.
  const cheap = fits.find((v) => !/\$(26|36)0000\$/.test(v.hash)) ?? fits[0];
  if (!cheap) throw new Error('no usable vector');
  return cheap;
}

const groups = byFormat(loadVectors());
const chosen = FORMATS.map((format) => ({ format, vector: pick(groups.get(format) ?? []) }));
let bridge: TestBridge;
let rp: client.Configuration;
let ids: Map<string, string>;

test.before(async () => {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_formats');
  const users: TestUser[] = chosen.map(({ format, vector }) => ({
    username: `user-${format}`,
    firstName: 'Format',
    lastName: format,
    password: vector.password,
    store: async () => ({ hash: vector.hash, ...(typeof vector.params.salt === 'string' ? { salt: vector.params.salt } : {}) }),
  }));
  ids = await createLegacyTable(db, table, users);
  bridge = await startTestBridge({
    db,
    legacy: legacySection(table, { passwords: { schemes: ['bcrypt', ...FORMATS], options: { saltOrder: SALT_ORDER } } }),
  });
  rp = await zitadelRelyingParty(bridge);
});

test.after.always(async () => {
  await bridge?.close();
  await closeDatabases();
});

for (const { format, vector } of chosen) {
  test(`${format}: the right password logs in, a wrong one gets the generic message`, async (t) => {
    const result = await login(rp, bridge, `user-${format}`, vector.password);
    t.is(result.idToken.sub, ids.get(`user-${format}`)!);
    t.is(result.userinfo.family_name, format);

    const started = await startAuthorization(rp, bridge);
    const { response, leftTo } = await submitLogin(started, await started.page.text(), `user-${format}`, wrongPassword(vector.password));
    t.is(leftTo, undefined);
    t.is(response.status, 401);
    t.is(alertOf(await response.text()), GENERIC_FAILURE);
  });
}
