import test from 'ava';
import { createPasswordChecker } from '../../src/passwords/index.js';
import { getScheme } from '../../src/passwords/registry.js';
import { shaCryptChecksum } from '../../src/passwords/primitives/sha-crypt.js';
import { runsInWorker, type PasswordScheme } from '../../src/passwords/scheme.js';

/** Schemes computed in JavaScript run in worker threads that load the same registry. */

const password = 'worker thread';
const stored = { hash: `$6$saltysalt$${shaCryptChecksum('sha512', Buffer.from(password), Buffer.from('saltysalt'), 5000)}` };

test('blocking schemes are marked so, native ones are not', (t) => {
  t.true(getScheme('sha512-crypt')?.blocking);
  t.true(getScheme('phpass')?.blocking);
  t.false(getScheme('bcrypt')?.blocking);
  t.false(getScheme('argon2id')?.blocking);
});

test('many concurrent verifications through a small pool all answer correctly', async (t) => {
  const checker = createPasswordChecker({ schemes: ['sha512-crypt'], workers: 2, concurrency: 4, queueLimit: 100 });
  const attempts = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? password : `${password}${i}`));
  const results = await Promise.all(attempts.map((attempt) => checker.verify(attempt, stored)));
  t.deepEqual(
    results.map((r) => r.ok),
    attempts.map((attempt) => attempt === password),
  );
  await checker.close();
  await t.throwsAsync(checker.verify(password, stored), { message: /closed/ });
});

test('format and bounds errors raised in a worker keep their type and code', async (t) => {
  const checker = createPasswordChecker({ schemes: ['sha512-crypt'], workers: 1, bounds: { shaCryptMaxRounds: 2000 } });
  const malformed = await t.throwsAsync(checker.verify(password, { hash: '$6$salt$tooShort' }));
  t.is(malformed?.name, 'HashFormatError');
  t.is((malformed as { code?: string } | undefined)?.code, 'HASH_MALFORMED');
  const costly = await t.throwsAsync(checker.verify(password, { hash: stored.hash.replace('$6$', '$6$rounds=5000$') }));
  t.is((costly as { code?: string } | undefined)?.code, 'HASH_OUT_OF_BOUNDS');
  await checker.close();
});

test('closing the pool answers verifications still running and still waiting', async (t) => {
  const checker = createPasswordChecker({ schemes: ['sha512-crypt'], workers: 1, concurrency: 4, queueLimit: 100 });
  // A million rounds: long enough to be mid-way when the pool closes.
  const slow = { hash: `$6$rounds=999999$saltysalt$${'a'.repeat(86)}` };
  const running = [checker.verify(password, slow), checker.verify(password, slow)];
  await new Promise((resolve) => setTimeout(resolve, 100));
  await checker.close();
  for (const verification of running) await t.throwsAsync(verification, { message: /closed/ });
});

test('a verification past the worker deadline is stopped and answered "busy", and a fresh worker takes the next one', async (t) => {
  const warnings: string[] = [];
  const checker = createPasswordChecker({ schemes: ['sha512-crypt'], workers: 1, workerTimeoutMs: 500 }, { warn: (obj, msg) => warnings.push(JSON.stringify(obj) + msg) });
  try {
    t.true((await checker.verify(password, stored)).ok);
    // Within the rounds cap, yet seconds of work: far past a 500 ms deadline.
    const slow = { hash: `$6$rounds=999999$saltysalt$${'a'.repeat(86)}` };
    const error = await t.throwsAsync(checker.verify(password, slow));
    t.is(error?.name, 'PasswordTimeoutError');
    // The code of saturation: the login answers "try again", not "wrong password".
    t.is((error as { code?: string } | undefined)?.code, 'PASSWORDS_BUSY');
    t.regex(warnings.join('\n'), /deadline/);
    t.true((await checker.verify(password, stored)).ok);
  } finally {
    await checker.close();
  }
});

test('native work never runs in a worker thread, where a deadline could stop it mid-call', async (t) => {
  const crypt = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./'.slice(0, 53);
  const inWorker = (id: string, password: string, hash: string): boolean => runsInWorker(getScheme(id) as PasswordScheme, Buffer.from(password), { hash });
  t.false(inWorker('bcrypt-2x', 'ascii', `$2x$12$${crypt}`));
  t.true(inWorker('bcrypt-2x', 'gäss', `$2x$12$${crypt}`));
  t.false(inWorker('ldap-crypt', 'ascii', `{CRYPT}$2b$12$${crypt}`));
  t.true(inWorker('ldap-crypt', 'ascii', `{CRYPT}$6$saltysalt$${'a'.repeat(86)}`));
  // Native bcrypt at cost 12 takes well over 100 ms: stopping its thread would abort the whole process.
  const checker = createPasswordChecker({ schemes: ['bcrypt-2x', 'ldap-crypt'], workers: 1, workerTimeoutMs: 100 });
  try {
    t.false((await checker.verify('ascii', { hash: `$2x$12$${crypt}` })).ok);
    t.false((await checker.verify('ascii', { hash: `{CRYPT}$2b$12$${crypt}` })).ok);
  } finally {
    await checker.close();
  }
});
