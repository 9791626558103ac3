import test, { type ExecutionContext } from 'ava';
import {
  createHandOff,
  createPasswordChecker,
  ZITADEL_VERIFIERS,
  type HandOff,
  type PasswordChecker,
  type PasswordsConfigInput,
  type ZitadelVerifier,
} from '../../src/passwords/index.js';
import { storedFor, sourceFor } from '../../src/passwords/vector-line.js';
import { checkZitadelImport, verifyZitadelHash } from '../../src/passwords/zitadel-format/index.js';
import { byFormat, expectedHandOff, loadVectors, wrongPassword, type Vector } from './support/vectors.js';

/** The hand-off of every verified vector line, checked on ZITADEL's side of the exchange. */

const positives = loadVectors().filter((vector) => vector.expect);
const everyVerifier = { zitadel: { verifiers: [...ZITADEL_VERIFIERS] } };

const checkers = new Map<string, PasswordChecker>();
test.after.always(async () => {
  await Promise.all([...checkers.values()].map((checker) => checker.close()));
});

/** One checker per source, as a running bridge would hold. */
function checkerFor(source: PasswordsConfigInput): PasswordChecker {
  const key = JSON.stringify(source);
  let checker = checkers.get(key);
  if (!checker) {
    checker = createPasswordChecker(source);
    checkers.set(key, checker);
  }
  return checker;
}

async function decide(vector: Vector, config: object, withPassword = true): Promise<HandOff> {
  const source = sourceFor(vector);
  const result = await checkerFor(source).verify(vector.password, storedFor(vector));
  if (!result.ok) throw new Error(`line ${vector.line} does not verify`);
  return createHandOff(config, source).decide(storedFor(vector), result.scheme, withPassword ? vector.password : undefined, result);
}

/** The hand-off must verify the password as ZITADEL would, refuse a wrong one, and pass ZITADEL's import checks. */
async function assertImportable(t: ExecutionContext, handOff: HandOff, vector: Vector, verifiers: readonly ZitadelVerifier[]): Promise<void> {
  if (handOff.kind === 'none') return void t.fail(`line ${vector.line}: ${handOff.reason}`);
  const rules = { verifiers };
  t.true(checkZitadelImport(handOff.hash, rules).ok, `line ${vector.line}: importable`);
  t.true(await verifyZitadelHash(handOff.hash, vector.password, rules), `line ${vector.line}: password verifies at ZITADEL`);
  t.false(await verifyZitadelHash(handOff.hash, wrongPassword(vector.password), rules), `line ${vector.line}: wrong password refused`);
}

for (const [format, lines] of byFormat(positives)) {
  test(`${format}: with every verifier enabled, the hand-off is what the vectors say`, async (t) => {
    for (const vector of lines) {
      const handOff = await decide(vector, everyVerifier);
      t.is(handOff.kind, expectedHandOff(vector), `line ${vector.line}`);
      if (handOff.kind === 'native' || handOff.kind === 'reencoded') t.is<string | null, string | null>(handOff.hash, vector.zitadelHash ?? null, `line ${vector.line}: hash`);
      await assertImportable(t, handOff, vector, ZITADEL_VERIFIERS);
    }
  });
}

test("with ZITADEL's default verifiers only bcrypt goes over unchanged; the rest is re-hashed to bcrypt", async (t) => {
  const config = { rehash: { bcryptCost: 10 } };
  for (const lines of byFormat(positives).values()) {
    for (const vector of lines.slice(0, 1)) {
      const handOff = await decide(vector, config);
      const bytes = Buffer.byteLength(vector.password, 'utf8');
      if (bytes > 72 && !(handOff.kind === 'native' && vector.format === 'bcrypt')) {
        t.is(handOff.kind, 'none', `line ${vector.line}: no argon2 for a long password`);
        continue;
      }
      if (handOff.kind === 'native') t.regex(handOff.hash, /^\$2[aby]\$/, `line ${vector.line}`);
      else t.true(handOff.kind === 'reencoded' ? /^\$2[aby]\$/.test(handOff.hash) : handOff.kind === 'rehash', `line ${vector.line}: ${handOff.kind}`);
      await assertImportable(t, handOff, vector, ['bcrypt']);
    }
  }
});

test('a password over 72 bytes is re-hashed with argon2id even when bcrypt is preferred', async (t) => {
  const vector = positives.find((v) => v.format === 'sha256-crypt' && Buffer.byteLength(v.password) > 72);
  if (!vector) return t.fail('no long-password vector');
  const handOff = await decide(vector, { zitadel: { verifiers: ['bcrypt', 'argon2'] }, rehash: { algorithm: 'bcrypt' } });
  t.is(handOff.kind, 'rehash');
  t.regex(handOff.hash ?? '', /^\$argon2id\$/);
  await assertImportable(t, handOff, vector, ['argon2']);
});

test('without a password, only unchanged or re-encoded hashes can be handed over', async (t) => {
  for (const lines of byFormat(positives).values()) {
    const vector = lines[0]!;
    const handOff = await decide(vector, everyVerifier, false);
    const expected = expectedHandOff(vector);
    if (expected === 'rehash') {
      t.is(handOff.kind, 'none', `line ${vector.line}`);
      t.true(handOff.kind === 'none' && handOff.reason.length > 0 && !handOff.reason.includes(vector.hash));
    } else {
      t.is(handOff.kind, expected, `line ${vector.line}`);
    }
  }
});

test('md5plain is never handed a sha1 or sha256 hex digest', async (t) => {
  for (const format of ['sha1-hex', 'sha256-hex', 'sha512-hex', 'sha1-salted', 'mysql41', 'ldap-sha']) {
    const vector = positives.find((v) => v.format === format);
    if (!vector) return t.fail(`no ${format} vector`);
    const handOff = await decide(vector, everyVerifier);
    t.is(handOff.kind, 'rehash', format);
    t.not(handOff.hash, vector.hash);
    t.notRegex(handOff.hash ?? '', /^[0-9a-f]+$/i, format);
  }
});

test('an md5-crypt salt with white space, which ZITADEL would split, is re-hashed rather than handed over', async (t) => {
  const { md5CryptChecksum } = await import('../../src/passwords/primitives/md5-crypt.js');
  const password = 'pw';
  for (const salt of ['ab cd', 'a\tb', 'x\u00a0y']) {
    const stored = { hash: `$1$${salt}$${md5CryptChecksum('$1$', Buffer.from(password), Buffer.from(salt, 'utf8'))}` };
    const result = await checkerFor({ schemes: ['md5-crypt'] }).verify(password, stored);
    t.true(result.ok, JSON.stringify(salt));
    const handOff = await createHandOff(everyVerifier, { schemes: ['md5-crypt'] }).decide(stored, 'md5-crypt', password);
    t.is(handOff.kind, 'rehash', JSON.stringify(salt));
    t.true(await verifyZitadelHash(handOff.hash!, password, { verifiers: [...ZITADEL_VERIFIERS] }));
  }
});

test("Werkzeug's unsalted md5 (a plain md5 digest) is re-encoded for md5plain; its salted HMACs are not", async (t) => {
  const { createHash, createHmac } = await import('node:crypto');
  const password = 'pässwörd';
  const policy = createHandOff(everyVerifier, { schemes: ['werkzeug-hmac'] });
  const plain = createHash('md5').update(password).digest('hex');
  const unsalted = await policy.decide({ hash: `md5$$${plain}` }, 'werkzeug-hmac', undefined);
  t.deepEqual(unsalted, { kind: 'reencoded', hash: plain });
  t.true(await verifyZitadelHash(plain, password, { verifiers: ['md5plain'] }));
  const salted = `md5$salt$${createHmac('md5', 'salt').update(password).digest('hex')}`;
  t.true((await checkerFor({ schemes: ['werkzeug-hmac'] }).verify(password, { hash: salted })).ok);
  t.is((await policy.decide({ hash: salted }, 'werkzeug-hmac', undefined)).kind, 'none');
  const sha1 = `sha1$$${createHash('sha1').update(password).digest('hex')}`;
  t.is((await policy.decide({ hash: sha1 }, 'werkzeug-hmac', undefined)).kind, 'none', 'md5plain reads md5 only');
});

test('a hash longer than 200 characters is never handed over', async (t) => {
  const long = { hash: `$pbkdf2-sha256$29000$${'A'.repeat(100)}$${'B'.repeat(100)}` };
  const handOff = await createHandOff(everyVerifier).decide(long, 'pbkdf2-sha256', undefined);
  t.is(handOff.kind, 'none');
});

test('a peppered source is always re-hashed', async (t) => {
  const { createHash } = await import('node:crypto');
  const pepper = 'p3pp3r';
  const stored = { hash: createHash('md5').update(`secret${pepper}`).digest('hex') };
  const source = { schemes: ['md5-hex'], options: { pepper: { value: pepper } } };
  const checker = createPasswordChecker(source);
  const result = await checker.verify('secret', stored);
  await checker.close();
  t.true(result.ok);
  const handOff = await createHandOff(everyVerifier, source).decide(stored, result.scheme, 'secret', result);
  t.is(handOff.kind, 'rehash');
  t.true(await verifyZitadelHash(handOff.hash ?? '', 'secret'));
  t.is((await createHandOff(everyVerifier, source).decide(stored, result.scheme, undefined)).kind, 'none');
});

test('re-hash parameters outside ZITADEL limits are refused by the configuration', (t) => {
  t.throws(() => createHandOff({ rehash: { bcryptCost: 8 } }));
  t.throws(() => createHandOff({ rehash: { argon2: { memoryKiB: 4096 } } }));
  t.throws(() => createHandOff({ zitadel: { verifiers: ['sha1' as never] } }));
});
