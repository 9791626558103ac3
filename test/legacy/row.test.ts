import test from 'ava';
import { LegacyUnavailableError } from '../../src/legacy/directory.js';
import { rowToUser, truthy } from '../../src/legacy/row.js';
import { userClaims } from '../../src/oidc/claims.js';
import { legacyConfig } from './conformance.js';

const columns = legacyConfig({ columns: { id: 'id', login: ['username'], passwordHash: 'password_hash', salt: 'salt' } }).columns;
const row = (fields: Record<string, unknown>) => ({ id: 1, username: 'ada', password_hash: 'hash', salt: null, disabled: false, ...fields });

test('a row without a usable id is refused, never mapped to a `sub` such users would share', (t) => {
  const prefixed = legacyConfig({ columns: { ...columns, id: 'users.id' } }).columns;
  const missing = t.throws(() => rowToUser(row({}), prefixed), { instanceOf: LegacyUnavailableError });
  t.regex(missing.message, /no column 'users\.id'/);
  t.regex(missing.message, /without a table prefix/);
  t.regex(missing.message, /lower-cased/);
  for (const id of [null, '']) {
    const empty = t.throws(() => rowToUser(row({ id }), columns), { instanceOf: LegacyUnavailableError }, `id ${String(id)}`);
    t.regex(empty.message, /no id in column 'id'/);
  }
  t.is(rowToUser(row({ id: '9007199254740993' }), columns).id, '9007199254740993');
  t.is(rowToUser(row({ id: 0 }), columns).id, '0');
});

test('a binary id is refused: decoding it as text would collapse distinct ids', (t) => {
  // Two BINARY(16) keys that decode to the same replacement characters as UTF-8.
  for (const id of [Buffer.from([0xff, 0x01]), Buffer.from([0xfe, 0x01]), new Uint8Array([0x61])]) {
    const error = t.throws(() => rowToUser(row({ id }), columns), { instanceOf: LegacyUnavailableError });
    t.regex(error.message, /'id'.*binary data.*HEX\(id\).*encode\(id, 'hex'\)/);
  }
});

test('a binary hash or salt is refused unless it is UTF-8 text', (t) => {
  const salt = t.throws(() => rowToUser(row({ salt: Buffer.from([0x9f, 0x00, 0xc3]) }), columns), { instanceOf: LegacyUnavailableError });
  t.regex(salt.message, /'salt' holds binary data.*HEX\(salt\)/);
  const hash = t.throws(() => rowToUser(row({ password_hash: Buffer.from([0xc3, 0x28]) }), columns), { instanceOf: LegacyUnavailableError });
  t.regex(hash.message, /'password_hash' holds binary data/);
  // A hash stored as text in a VARBINARY column is that text.
  const stored = rowToUser(row({ password_hash: Buffer.from('$2y$10$abc'), salt: Buffer.from('pepper') }), columns);
  t.deepEqual(stored.credential, { hash: '$2y$10$abc', salt: 'pepper' });
  // BINARY(n) pads with NUL bytes; text keeps its trailing spaces (a {noop} password may end with one).
  const padded = rowToUser(row({ password_hash: Buffer.from('$2y$10$abc\0\0\0'), salt: Buffer.from('pepper \0') }), columns);
  t.deepEqual(padded.credential, { hash: '$2y$10$abc', salt: 'pepper ' });
  t.deepEqual(rowToUser(row({ password_hash: '{noop}secret ', salt: 'salt ' }), columns).credential, { hash: '{noop}secret ', salt: 'salt ' });
});

test('numeric strings (BIGINT, DECIMAL, int8, numeric) are true by their value', (t) => {
  for (const value of ['1', '2', '1.00', '-1', ' 3 ', '18446744073709551615', '0.5', '1e3']) t.true(truthy(value), value);
  for (const value of ['0', '0.00', '-0', '000', '0e5']) t.false(truthy(value), value);
});

test('bytes are read as the text they hold; the other spellings keep working', (t) => {
  for (const value of ['0', 'no', 'false', 'f', '']) t.false(truthy(Buffer.from(value)), `bytes ${value}`);
  for (const value of ['1', 'yes', 'TRUE', 't']) t.true(truthy(Buffer.from(value)), `bytes ${value}`);
  for (const value of [true, 1, 2n, 't', 'Yes', 'on', '2020-01-02 03:04:05', new Date()]) t.true(truthy(value), String(value));
  for (const value of [false, 0, 0n, 'f', 'no', 'off', '', null, undefined, 'active']) t.false(truthy(value), String(value));
});

test('a locale becomes a language tag ZITADEL can parse, or is left out', (t) => {
  const withLocale = legacyConfig({ columns: { ...columns, locale: 'locale' } }).columns;
  const mapped = (locale: unknown) => rowToUser(row({ locale }), withLocale).profile.locale;
  t.is(mapped('de_DE'), 'de-DE');
  t.is(mapped('de_DE.UTF-8'), 'de-DE');
  t.is(mapped('en-us'), 'en-US');
  t.is(mapped('sr_RS@latin'), 'sr-RS');
  t.is(mapped('fr'), 'fr');
  for (const unusable of ['English', 'C', 'POSIX', 'german', '12', '', '   ', null]) t.is(mapped(unusable), undefined, String(unusable));
});

test('a phone number becomes E.164, or is left out (with its verified flag) when it cannot be placed', (t) => {
  const withPhone = legacyConfig({ columns: { ...columns, phoneNumber: 'phone', phoneNumberVerified: 'phone_ok' } }).columns;
  const profile = (phone: unknown) => rowToUser(row({ phone, phone_ok: true }), withPhone).profile;
  t.is(profile('+41 79 000 00 00').phoneNumber, '+41790000000');
  t.is(profile('+1 (555) 010-9999').phoneNumber, '+15550109999');
  t.is(profile('0041 79 000 00 00').phoneNumber, '+41790000000');
  t.true(profile('+41 79 000 00 00').phoneNumberVerified);
  for (const unusable of ['n/a', '079 000 00 00', '+0 123', '+1234', 'call me', '', null]) {
    t.is(profile(unusable).phoneNumber, undefined, String(unusable));
    t.is(profile(unusable).phoneNumberVerified, undefined, String(unusable));
  }
});

test('a blank name is no name: the claims fall back, so ZITADEL (which trims names) gets one it accepts', (t) => {
  const named = legacyConfig({ columns: { ...columns, givenName: 'first', familyName: 'last', name: 'display', email: 'mail' } }).columns;
  const fallbacks = { givenNameFallback: 'Unknown', familyNameFallback: 'Unknown' };
  const blank = rowToUser(row({ first: ' ', last: '\t', display: '  ', mail: ' ' }), named);
  t.deepEqual(blank.profile, {});
  const claims = userClaims(blank, fallbacks);
  t.is(claims.given_name, 'Unknown');
  t.is(claims.family_name, 'Unknown');
  t.is(claims.name, undefined);
  t.is(claims.email, undefined);
  // Blanks around a value go; the value stays, and a blank given name falls back to the display name's part.
  const padded = userClaims(rowToUser(row({ first: '', last: ' Lovelace ', display: ' Ada Lovelace ', mail: ' ada@example.com ' }), named), fallbacks);
  t.like(padded, { given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace', email: 'ada@example.com' });
});
