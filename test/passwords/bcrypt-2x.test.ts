import test from 'ava';
import bcrypt from 'bcrypt';
import { bcryptJsChecksum } from '../../src/passwords/primitives/bcrypt-js.js';
import { createPasswordChecker } from '../../src/passwords/index.js';

/**
 * `$2x$` reproduces crypt_blowfish's pre-2011 sign-extension bug for bytes ≥ 0x80. Reference values
 * from crypt_blowfish's own test suite (Openwall), byte strings as there.
 */

const openwall: ReadonlyArray<{ hash: string; password: number[] }> = [
  { hash: '$2x$05$6bNw2HLQYeqHYyBfLMsv/OiwqTymGIGzFsA4hOTWebfehXHNprcAS', password: [0xd1, 0x91] },
  { hash: '$2x$05$6bNw2HLQYeqHYyBfLMsv/O9LIGgn8OMzuDoHfof8AQimSGfcSWxnS', password: [0xd0, 0xc1, 0xd2, 0xcf, 0xcc, 0xd8] },
  { hash: '$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e', password: [0xa3] },
  { hash: '$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e', password: [0xff, 0xff, 0xa3] },
  { hash: '$2a$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq', password: [0xa3] },
];

const checksumOf = (hash: string, password: Uint8Array, bug: boolean): string => bcryptJsChecksum(password, hash.slice(7, 29), Number(hash.slice(4, 6)), bug);

for (const { hash, password } of openwall) {
  test(`crypt_blowfish reference ${hash.slice(0, 4)} ${Buffer.from(password).toString('hex')}`, (t) => {
    t.is(checksumOf(hash, Buffer.from(password), hash.startsWith('$2x$')), hash.slice(29));
  });
}

test('without the bug the JavaScript bcrypt equals the native library, 8-bit bytes included', async (t) => {
  for (const password of ['pässwörd✓', 'ascii only', '\u00ff\u00fe long '.repeat(8)]) {
    const hash = await bcrypt.hash(password, 5);
    t.is(checksumOf(hash, Buffer.from(password), false), hash.slice(29), password);
  }
});

test('a $2x$ hash of a UTF-8 password verifies through the scheme, and a near miss does not', async (t) => {
  const checker = createPasswordChecker({ schemes: ['bcrypt-2x'] });
  const stored = { hash: '$2x$05$6bNw2HLQYeqHYyBfLMsv/OiwqTymGIGzFsA4hOTWebfehXHNprcAS' };
  t.true((await checker.verify('ё', stored)).ok);
  t.false((await checker.verify('е', stored)).ok);
  // The native path would not see the bug: the same hash relabelled $2a$ does not match.
  const plain = createPasswordChecker({ schemes: ['bcrypt'] });
  t.false((await plain.verify('ё', { hash: stored.hash.replace('$2x$', '$2a$') })).ok);
  await Promise.all([checker.close(), plain.close()]);
});
