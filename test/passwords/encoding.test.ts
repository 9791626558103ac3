import test from 'ava';
import { decodeBase64, encodeAb64, encodeBase64 } from '../../src/passwords/encoding/base64.js';
import { crypt64Index, encodeCrypt64 } from '../../src/passwords/encoding/crypt64.js';
import { decodeHex, isHex } from '../../src/passwords/encoding/hex.js';

test('base64 padding rules', (t) => {
  t.deepEqual(decodeBase64('YQ==', { padding: 'required' }), Buffer.from('a'));
  t.is(decodeBase64('YQ', { padding: 'required' }), undefined);
  t.is(decodeBase64('YQ==', { padding: 'forbidden' }), undefined);
  t.deepEqual(decodeBase64('YQ', { padding: 'optional' }), Buffer.from('a'));
  t.is(decodeBase64('YQ=', {}), undefined, 'wrong amount of padding');
  t.is(decodeBase64('Y', {}), undefined, 'impossible length');
  t.is(decodeBase64('Y Q', {}), undefined, 'foreign characters');
});

test('strict base64 refuses set unused bits', (t) => {
  t.deepEqual(decodeBase64('YQ', { strict: true }), Buffer.from('a'));
  t.is(decodeBase64('YR', { strict: true }), undefined);
  t.deepEqual(decodeBase64('YR'), Buffer.from('a'));
});

test("passlib's adapted base64 swaps + for . and drops padding", (t) => {
  const bytes = Buffer.from([0xfb, 0xef, 0xbe, 0xff]);
  t.is(encodeBase64(bytes, true), '++++/w==');
  t.is(encodeAb64(bytes), '..../w');
  t.deepEqual(decodeBase64('..../w', { alphabet: 'ab64' }), bytes);
  t.is(decodeBase64('++++/w', { alphabet: 'ab64' }), undefined);
});

test('crypt64 is little-endian over the ./0-9A-Za-z alphabet', (t) => {
  t.is(encodeCrypt64(Buffer.from([0, 0, 0])), '....');
  t.is(encodeCrypt64(Buffer.from([1])), '/.');
  t.is(encodeCrypt64(Buffer.from([0x3f])), 'z.');
  t.is(crypt64Index('B'), 13);
  t.is(crypt64Index('$'), -1);
});

test('hex is case-insensitive and length-checked', (t) => {
  t.true(isHex('aBcD', 2));
  t.false(isHex('abc'));
  t.false(isHex('abcd', 3));
  t.deepEqual(decodeHex('FF00'), Buffer.from([255, 0]));
  t.is(decodeHex('zz'), undefined);
});
