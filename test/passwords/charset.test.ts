import { createHash } from 'node:crypto';
import test from 'ava';
import { createHandOff, createPasswordChecker, verifyZitadelHash, ZITADEL_VERIFIERS } from '../../src/passwords/index.js';

/** Old PHP/MySQL applications hashed Latin-1 bytes; a source may ask for a second try in Latin-1. */

const password = 'pässwörd';
const latin1Md5 = createHash('md5').update(Buffer.from(password, 'latin1')).digest('hex');

test('without a legacy charset, a Latin-1 hash does not match the UTF-8 password', async (t) => {
  const checker = createPasswordChecker({ schemes: ['md5-hex'] });
  t.false((await checker.verify(password, { hash: latin1Md5 })).ok);
  await checker.close();
});

test('with legacyCharset latin1, the retry matches and says so', async (t) => {
  const checker = createPasswordChecker({ schemes: ['md5-hex'], legacyCharset: 'latin1' });
  t.deepEqual(await checker.verify(password, { hash: latin1Md5 }), { ok: true, scheme: 'md5-hex', legacyCharset: 'latin1' });
  // A UTF-8 hash still matches on the first try.
  const utf8Md5 = createHash('md5').update(password, 'utf8').digest('hex');
  t.deepEqual(await checker.verify(password, { hash: utf8Md5 }), { ok: true, scheme: 'md5-hex' });
  t.false((await checker.verify('passwörd', { hash: latin1Md5 })).ok);
  await checker.close();
});

test('a password Latin-1 cannot represent is not retried', async (t) => {
  const text = 'pässwörd✓';
  // What a lossy conversion would produce: never a match.
  const lossy = createHash('md5').update(Buffer.from(text, 'latin1')).digest('hex');
  const checker = createPasswordChecker({ schemes: ['md5-hex'], legacyCharset: 'latin1' });
  t.false((await checker.verify(text, { hash: lossy })).ok);
  await checker.close();
});

test('a Latin-1 match is re-hashed for ZITADEL, never handed over as it is', async (t) => {
  const checker = createPasswordChecker({ schemes: ['md5-hex'], legacyCharset: 'latin1' });
  const stored = { hash: latin1Md5 };
  const result = await checker.verify(password, stored);
  await checker.close();
  const handOff = await createHandOff({ zitadel: { verifiers: [...ZITADEL_VERIFIERS] } }).decide(stored, result.scheme, password, result);
  t.is(handOff.kind, 'rehash');
  t.true(await verifyZitadelHash(handOff.hash ?? '', password));
});
