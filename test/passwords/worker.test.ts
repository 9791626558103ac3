import test from 'ava';
import { createPasswordChecker } from '../../src/passwords/index.js';
import { getScheme } from '../../src/passwords/registry.js';
import { shaCryptChecksum } from '../../src/passwords/primitives/sha-crypt.js';

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
