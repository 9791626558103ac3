import test from 'ava';
import { getScheme, schemeIds } from '../../src/passwords/registry.js';
import { storedFor } from '../../src/passwords/vector-line.js';
import { checkZitadelImport, verifyZitadelHash } from '../../src/passwords/zitadel-format/index.js';
import { contextFor } from './support/context.js';
import { byFormat, loadVectors } from './support/vectors.js';

/** Conformance: every scheme against every known-answer line of its format. */

const vectors = loadVectors();
const groups = byFormat(vectors);

test('every format of the vectors has a registered scheme', (t) => {
  const missing = [...groups.keys()].filter((format) => !getScheme(format));
  t.deepEqual(missing, []);
  t.true(groups.size >= 62);
  t.true(schemeIds().length >= groups.size);
});

for (const [format, lines] of groups) {
  test(`${format}: identify, verify and ZITADEL form match the vectors`, async (t) => {
    const scheme = getScheme(format);
    if (!scheme) return t.fail(`no scheme ${format}`);
    for (const vector of lines) {
      const stored = storedFor(vector);
      const ctx = contextFor(vector);
      const where = `line ${vector.line}`;
      t.true(scheme.identify(stored), `${where}: identified`);
      t.is(await scheme.verify(Buffer.from(vector.password, 'utf8'), stored, ctx), vector.expect, `${where}: verify`);
      if (vector.zitadelHash !== undefined) t.is(scheme.toZitadel(stored, ctx), vector.zitadelHash, `${where}: ZITADEL form`);
    }
  });

  const handedOver = lines.filter((vector) => typeof vector.zitadelHash === 'string');
  if (handedOver.length === 0) continue;
  test(`${format}: the ZITADEL form verifies the same password the way ZITADEL does`, async (t) => {
    for (const vector of handedOver) {
      const hash = vector.zitadelHash as string;
      const where = `line ${vector.line}`;
      t.is(await verifyZitadelHash(hash, vector.password, { enforceLimits: false }), vector.expect, `${where}: ZITADEL verify`);
      t.is(checkZitadelImport(hash).ok, vector.zitadelLimitsOk === true, `${where}: within ZITADEL's default limits`);
    }
  });
}

test('a damaged stored value (last significant character cut, or one added) never verifies', async (t) => {
  for (const [format, lines] of groups) {
    const scheme = getScheme(format);
    if (!scheme) continue;
    for (const vector of lines.filter((line) => line.expect)) {
      const ctx = contextFor(vector);
      for (const hash of [vector.hash.replace(/.(=*)$/, '$1'), `${vector.hash}A`]) {
        const stored = { ...storedFor(vector), hash };
        const result = await scheme.verify(Buffer.from(vector.password, 'utf8'), stored, ctx).catch((error: { code?: string }) => error.code);
        t.not(result, true, `line ${vector.line}: ${format}`);
      }
    }
  }
});
