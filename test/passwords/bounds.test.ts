import test from 'ava';
import bcrypt from 'bcrypt';
import { createPasswordChecker, HashBoundsError, type PasswordsConfigInput } from '../../src/passwords/index.js';
import type { StoredCredential } from '../../src/passwords/scheme.js';

/**
 * Stored hashes asking for absurd work are refused before any hashing. No timing is asserted: without
 * the bound these checks would run for hours and the suite's timeout would fail them.
 */

const b64 = (text: string): string => Buffer.from(text).toString('base64').replace(/=+$/, '');
const key = (n: number): string => Buffer.alloc(n, 7).toString('base64').replace(/=+$/, '');
const crypt = (n: number): string => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./'.repeat(4).slice(0, n);

const absurd: ReadonlyArray<{ scheme: string; stored: StoredCredential; config?: Partial<PasswordsConfigInput> }> = [
  { scheme: 'bcrypt', stored: { hash: `$2b$31$${crypt(53)}` } },
  { scheme: 'bcrypt-2x', stored: { hash: `$2x$31$${crypt(53)}` } },
  { scheme: 'django-bcrypt', stored: { hash: `bcrypt$$2b$30$${crypt(53)}` } },
  { scheme: 'wordpress-bcrypt', stored: { hash: `$wp$2y$31$${crypt(53)}` } },
  { scheme: 'argon2id', stored: { hash: `$argon2id$v=19$m=4194304,t=1000,p=1$${b64('saltsaltsalt')}$${b64('hashhashhashhashhash')}` } },
  { scheme: 'argon2i', stored: { hash: `$argon2i$v=19$m=65536,t=3,p=255$${b64('saltsaltsalt')}$${b64('hashhashhashhashhash')}` } },
  { scheme: 'django-argon2', stored: { hash: `argon2$argon2id$v=19$m=65536,t=1000,p=1$${b64('saltsaltsalt')}$${b64('hashhashhashhash')}` } },
  { scheme: 'scrypt', stored: { hash: `$scrypt$ln=30,r=8,p=1$${b64('saltsalt')}$${key(32)}` } },
  { scheme: 'scrypt', stored: { hash: `$scrypt$ln=16,r=1024,p=1$${b64('saltsalt')}$${key(32)}` } },
  { scheme: 'django-scrypt', stored: { hash: `scrypt$1073741824$salt$8$1$${Buffer.alloc(64).toString('base64')}` } },
  { scheme: 'werkzeug-scrypt', stored: { hash: `scrypt:32768:8:4096$salt$${'ab'.repeat(64)}` } },
  { scheme: 'spring-scrypt', stored: { hash: `{scrypt}$1e0801$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}` } },
  { scheme: 'firebase-scrypt', stored: { hash: `$firebasescrypt$ln=30,r=8$${b64('salt')}$${Buffer.alloc(64).toString('base64')}$Bw==$${Buffer.alloc(64).toString('base64')}` } },
  { scheme: 'pbkdf2-sha256', stored: { hash: `$pbkdf2-sha256$2147483648$${b64('saltsalt')}$${key(32)}` } },
  { scheme: 'django-pbkdf2-sha256', stored: { hash: `pbkdf2_sha256$2147483648$salt$${Buffer.alloc(32).toString('base64')}` } },
  { scheme: 'werkzeug-pbkdf2', stored: { hash: `pbkdf2:sha256:2147483648$salt$${'ab'.repeat(32)}` } },
  { scheme: 'ldap-pbkdf2-sha256', stored: { hash: `{PBKDF2-SHA256}2147483648$${b64('saltsalt')}$${key(32)}` } },
  {
    scheme: 'keycloak-pbkdf2',
    stored: {
      hash: JSON.stringify({
        secretData: JSON.stringify({ value: Buffer.alloc(64).toString('base64'), salt: Buffer.alloc(16).toString('base64') }),
        credentialData: JSON.stringify({ hashIterations: 2 ** 31, algorithm: 'pbkdf2-sha256' }),
      }),
    },
  },
  { scheme: 'aspnet-identity-v3', stored: { hash: Buffer.concat([Buffer.from([1, 0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 16]), Buffer.alloc(48)]).toString('base64') } },
  { scheme: 'spring-pbkdf2', stored: { hash: `{pbkdf2}${'ab'.repeat(40)}` }, config: { options: { springPbkdf2: { iterations: 2 ** 31 } } } },
  { scheme: 'sha512-crypt', stored: { hash: `$6$rounds=999999999$saltsalt$${crypt(86)}` } },
  { scheme: 'sha256-crypt', stored: { hash: `$5$rounds=999999999$saltsalt$${crypt(43)}` } },
  { scheme: 'ldap-crypt', stored: { hash: `{CRYPT}$6$rounds=999999999$saltsalt$${crypt(86)}` } },
  { scheme: 'phpass', stored: { hash: `$P$S${crypt(8)}${crypt(22)}` } },
  { scheme: 'drupal7', stored: { hash: `$S$S${crypt(8)}${crypt(43)}` } },
  { scheme: 'drupal7-upgraded-md5', stored: { hash: `U$S$S${crypt(8)}${crypt(43)}` } },
  // Each parameter within its cap, the work they multiply to far beyond: scrypt's p passes, PBKDF2's key blocks.
  { scheme: 'scrypt', stored: { hash: `$scrypt$ln=18,r=8,p=16$${b64('saltsalt')}$${key(32)}` } },
  { scheme: 'pbkdf2-sha256', stored: { hash: `$pbkdf2-sha256$6000000$${b64('saltsalt')}$${key(64)}` } },
  {
    scheme: 'aspnet-identity-v3',
    // PRF HMAC-SHA1, 10 000 000 rounds, 16-byte salt, a 256-byte subkey: 13 SHA-1 blocks of every round.
    stored: { hash: Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0x00, 0x98, 0x96, 0x80, 0, 0, 0, 16]), Buffer.alloc(16, 1), Buffer.alloc(256, 2)]).toString('base64') },
  },
  // A legitimate WordPress count, refused because the operator lowered the cap.
  { scheme: 'phpass', stored: { hash: `$P$B${crypt(8)}${crypt(22)}` }, config: { bounds: { phpassMaxLog2: 10 } } },
  { scheme: 'bcrypt', stored: { hash: `$2y$10$${crypt(53)}` }, config: { bounds: { bcryptMaxCost: 9 } } },
  // Any scheme: a stored value beyond the length cap.
  { scheme: 'md5-hex', stored: { hash: 'a'.repeat(5000) } },
];

for (const [i, { scheme, stored, config }] of absurd.entries()) {
  test(`${scheme} #${i}: out-of-bounds parameters are refused and reported without the hash`, async (t) => {
    const warnings: string[] = [];
    const checker = createPasswordChecker({ schemes: [scheme], ...config }, { warn: (obj, msg) => warnings.push(JSON.stringify(obj) + msg) });
    try {
      const error = await t.throwsAsync(checker.verify('password', stored), { instanceOf: HashBoundsError });
      t.is(error?.code, 'HASH_OUT_OF_BOUNDS');
      t.false(error?.message.includes(stored.hash));
      t.is(warnings.length, 1);
      t.regex(warnings[0] ?? '', /HASH_OUT_OF_BOUNDS/);
      // Neither the hash nor any long piece of it reaches the log.
      for (let at = 0; at + 12 <= stored.hash.length; at += 6) t.false(warnings[0]?.includes(stored.hash.slice(at, at + 12)) ?? true);
    } finally {
      await checker.close();
    }
  });
}

test('a password over the byte cap fails without hashing', async (t) => {
  const checker = createPasswordChecker({ schemes: ['bcrypt'], bounds: { maxPasswordBytes: 16 } });
  const stored = { hash: '$2b$31$' + crypt(53) };
  // Cost 31 would never finish: only an early answer can pass.
  t.deepEqual(await checker.verify('x'.repeat(17), stored), { ok: false, scheme: 'bcrypt' });
  await checker.close();
});

/** Refused with the bounds error, or else the verdict; only a refusal is an out-of-bounds answer. */
async function outcome(config: PasswordsConfigInput, password: string, stored: StoredCredential): Promise<string | boolean> {
  const checker = createPasswordChecker(config);
  try {
    return await checker.verify(password, stored).then(
      (result) => result.ok,
      (error: { code?: string }) => error.code ?? 'error',
    );
  } finally {
    await checker.close();
  }
}

test('$2x$ with an 8-bit password runs bcrypt in JavaScript, under a lower cap than the native library', async (t) => {
  const stored = { hash: `$2x$06$${crypt(53)}` };
  const config = { schemes: ['bcrypt-2x'], bounds: { bcryptMaxCost: 8 } };
  t.is(await outcome(config, 'gäss', stored), 'HASH_OUT_OF_BOUNDS');
  // A 7-bit password takes the native path, under the native cap.
  t.false(await outcome(config, 'guess', stored));
});

test('the legacy-charset retry has the whole caps, like the first try', async (t) => {
  const config = { schemes: ['bcrypt'], legacyCharset: 'latin1' as const, bounds: { bcryptMaxCost: 6 } };
  const password = 'gäss';
  // At the cap, made from the UTF-8 bytes or from the Latin-1 bytes: each try may reach the cap.
  t.true(await outcome(config, password, { hash: await bcrypt.hash(password, 6) }));
  t.true(await outcome(config, password, { hash: await bcrypt.hash(Buffer.from(password, 'latin1'), 6) }));
  // Over the cap nothing is tried.
  t.is(await outcome(config, password, { hash: await bcrypt.hash(password, 7) }), 'HASH_OUT_OF_BOUNDS');
});

test('digests iterated over the password bound the work a long password makes, not only the iterations', async (t) => {
  const cases: ReadonlyArray<{ config: PasswordsConfigInput; stored: StoredCredential }> = [
    { config: { schemes: ['sha512-crypt'], bounds: { shaCryptMaxRounds: 10_000 } }, stored: { hash: `$6$rounds=10000$saltsaltsaltsalt$${crypt(86)}` } },
    { config: { schemes: ['sha256-crypt'], bounds: { shaCryptMaxRounds: 10_000 } }, stored: { hash: `$5$rounds=10000$saltsaltsaltsalt$${crypt(43)}` } },
    { config: { schemes: ['phpass'], bounds: { phpassMaxLog2: 10 } }, stored: { hash: `$P$8${crypt(8)}${crypt(22)}` } },
    { config: { schemes: ['drupal7'], bounds: { drupalMaxLog2: 10 } }, stored: { hash: `$S$8${crypt(8)}${crypt(43)}` } },
  ];
  for (const { config, stored } of cases) {
    const where = stored.hash.slice(0, 3);
    t.is(await outcome(config, 'x'.repeat(1024), stored), 'HASH_OUT_OF_BOUNDS', where);
    // Up to 64 bytes a password has the whole iteration cap.
    t.false(await outcome(config, 'x'.repeat(64), stored), where);
  }
});

test('the salt column is bounded like the hash, before identification', async (t) => {
  const config = { schemes: ['sha256-salted'], options: { saltOrder: 'salt+password' as const }, bounds: { maxHashLength: 64 } };
  const hash = 'ab'.repeat(32);
  t.is(await outcome(config, 'password', { hash, salt: 's'.repeat(65) }), 'HASH_OUT_OF_BOUNDS');
  t.false(await outcome(config, 'password', { hash, salt: 's'.repeat(64) }));
  const checker = createPasswordChecker(config);
  t.is(checker.identify({ hash, salt: 's'.repeat(65) }), undefined);
  t.is(checker.identify({ hash, salt: 's'.repeat(64) }), 'sha256-salted');
  await checker.close();
});

test('caps are validated at configuration time', (t) => {
  t.throws(() => createPasswordChecker({ bounds: { bcryptMaxCost: 40 } }));
  t.throws(() => createPasswordChecker({ bounds: { phpassMaxLog2: 31 } }));
});
