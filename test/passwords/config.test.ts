import { inspect } from 'node:util';
import test from 'ava';
import { handOffConfigSchema, passwordsConfigSchema } from '../../src/passwords/index.js';
import { schemeOptions } from '../../src/passwords/config.js';

test('defaults: bcrypt and argon2 schemes, ZITADEL verifiers [bcrypt], argon2id re-hash inside ZITADEL limits', (t) => {
  const passwords = passwordsConfigSchema.parse({});
  t.deepEqual(passwords.schemes, ['bcrypt', 'argon2id', 'argon2i']);
  t.is(passwords.bounds.bcryptMaxCost, 16);
  const handOff = handOffConfigSchema.parse({});
  t.deepEqual(handOff.zitadel.verifiers, ['bcrypt']);
  t.is(handOff.rehash.algorithm, 'argon2id');
  t.true(handOff.rehash.argon2.memoryKiB >= handOff.zitadel.limits.argon2.minMemoryKiB);
  t.deepEqual(handOff.zitadel.limits.bcrypt, { minCost: 10, maxCost: 16 });
});

test('secret options never print, but reach the schemes', (t) => {
  const parsed = passwordsConfigSchema.parse({
    schemes: ['spring-sha256', 'md5-hex'],
    options: { pepper: { value: 'pepper-value-1' }, springSha256: { secret: 'spring-secret-2' } },
  });
  for (const printed of [JSON.stringify(parsed), inspect(parsed, { depth: 10 }), String(parsed.options.pepper?.value)]) {
    t.false(printed.includes('pepper-value-1'));
    t.false(printed.includes('spring-secret-2'));
  }
  const options = schemeOptions(parsed.options);
  t.is(options.pepper?.value, 'pepper-value-1');
  t.is(options.springSha256?.secret, 'spring-secret-2');
});

test('a secret may come from the environment; a missing variable is a configuration error', (t) => {
  process.env.TEST_PEPPER_FOR_PASSWORDS = 'from-env';
  const parsed = passwordsConfigSchema.parse({ schemes: ['md5-hex'], options: { pepper: { value: { env: 'TEST_PEPPER_FOR_PASSWORDS' } } } });
  t.is(schemeOptions(parsed.options).pepper?.value, 'from-env');
  t.false(passwordsConfigSchema.safeParse({ schemes: ['md5-hex'], options: { pepper: { value: { env: 'TEST_PEPPER_UNSET_VARIABLE' } } } }).success);
});

test('unknown keys are refused', (t) => {
  t.false(passwordsConfigSchema.safeParse({ schemes: ['bcrypt'], bound: {} }).success);
  t.false(handOffConfigSchema.safeParse({ zitadel: { verifier: ['bcrypt'] } }).success);
});
