import { createHash } from 'node:crypto';
import test from 'ava';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { checkZitadelImport, claimZitadelHash, verifyZitadelHash, ZitadelHashError } from '../../src/passwords/zitadel-format/index.js';

/** passwap's parsing rules, which differ from the legacy schemes' on purpose. */

const password = 'correct horse';

async function argon2(): Promise<string> {
  return argon2Hash(password, { algorithm: 2, memoryCost: 8192, timeCost: 1, parallelism: 1 });
}

test('argon2: unpadded canonical base64 only, version 19 only, argon2d never', async (t) => {
  const encoded = await argon2();
  t.is(claimZitadelHash(encoded)?.verifier, 'argon2');
  t.true(await verifyZitadelHash(encoded, password));
  const [head, salt, hash] = [encoded.split('$').slice(0, 4).join('$'), encoded.split('$')[4], encoded.split('$')[5]];
  t.is(claimZitadelHash(`${head}$${salt}==$${hash}`), undefined, 'padded salt refused');
  t.is(claimZitadelHash(encoded.replace('v=19', 'v=16')), undefined, 'version 16 refused');
  t.is(claimZitadelHash(encoded.replace('$argon2id$', '$argon2d$')), undefined, 'argon2d refused');
  // A non-canonical last character (unused bits set) is refused by Go's strict decoder.
  const last = hash?.slice(-1) ?? 'A';
  const bumped = String.fromCharCode(last.charCodeAt(0) + 1);
  t.is(claimZitadelHash(`${head}$${salt}$${hash?.slice(0, -1)}${bumped}`), undefined, 'non-canonical base64 refused');
});

test('bcrypt: $2a$, $2b$, $2y$ are read, $2x$ is not; cost limits apply at import', async (t) => {
  const encoded = await bcrypt.hash(password, 10);
  for (const minor of ['a', 'b', 'y']) t.true(await verifyZitadelHash(encoded.replace('$2b$', `$2${minor}$`), password), minor);
  t.is(claimZitadelHash(encoded.replace('$2b$', '$2x$')), undefined);
  const cheap = await bcrypt.hash(password, 4);
  t.regex(checkZitadelImport(cheap).ok ? '' : (checkZitadelImport(cheap) as { reason: string }).reason, /cost outside 10–16/);
  await t.throwsAsync(verifyZitadelHash(cheap, password), { instanceOf: ZitadelHashError });
  t.true(await verifyZitadelHash(cheap, password, { enforceLimits: false }));
});

test('md5plain claims any hex string, so only md5 digests may be handed to it', async (t) => {
  const sha1 = createHash('sha1').update(password).digest('hex');
  t.is(claimZitadelHash(sha1)?.verifier, 'md5plain');
  t.false(await verifyZitadelHash(sha1, password));
  const md5 = createHash('md5').update(password).digest('hex').toUpperCase();
  t.true(await verifyZitadelHash(md5, password));
});

test('md5salted: padded base64 required, salt literal, prefix and suffix', async (t) => {
  const salt = 'NaCl';
  const prefix = createHash('md5').update(salt + password).digest('base64');
  const suffix = createHash('md5').update(password + salt).digest('base64');
  t.true(await verifyZitadelHash(`$md5salted-prefix$${salt}$${prefix}`, password));
  t.true(await verifyZitadelHash(`$md5salted-suffix$${salt}$${suffix}`, password));
  t.false(await verifyZitadelHash(`$md5salted-suffix$${salt}$${prefix}`, password));
  t.is(claimZitadelHash(`$md5salted-prefix$${salt}$${prefix.replace(/=+$/, '')}`), undefined, 'unpadded refused');
});

test('pbkdf2: passlib or standard base64, padded or not, key length as stored', async (t) => {
  const { pbkdf2Sync } = await import('node:crypto');
  const salt = Buffer.from('fixed salt with + and /???');
  const key = pbkdf2Sync(password, salt, 1000, 20, 'sha256');
  const standard = `$pbkdf2-sha256$1000$${salt.toString('base64')}$${key.toString('base64')}`;
  const passlib = `$pbkdf2-sha256$1000$${salt.toString('base64').replace(/=+$/, '').replaceAll('+', '.')}$${key.toString('base64').replace(/=+$/, '').replaceAll('+', '.')}`;
  t.true(await verifyZitadelHash(standard, password));
  t.true(await verifyZitadelHash(passlib, password));
  t.false(await verifyZitadelHash(passlib, `${password}!`));
  t.is(claimZitadelHash(passlib.replace('$pbkdf2-sha256$', '$pbkdf2-md5$')), undefined);
  t.false(checkZitadelImport(passlib.replace('$1000$', '$999$')).ok, 'rounds below 1000');
});

test('sha2: the rebuilt string must equal the stored one', async (t) => {
  const { shaCryptChecksum } = await import('../../src/passwords/primitives/sha-crypt.js');
  const checksum = shaCryptChecksum('sha256', Buffer.from(password), Buffer.from('saltsalt'), 5000);
  t.true(await verifyZitadelHash(`$5$saltsalt$${checksum}`, password));
  t.true(await verifyZitadelHash(`$5$rounds=5000$saltsalt$${checksum}`, password));
  // glibc would clamp 500 to 1000 and write rounds=1000: passwap rebuilds that and finds no match.
  t.false(await verifyZitadelHash(`$5$rounds=500$saltsalt$${checksum}`, password, { enforceLimits: false }));
});

test('imports: verifier must be enabled, hash at most 200 characters', (t) => {
  const md5 = createHash('md5').update(password).digest('hex');
  t.true(checkZitadelImport(md5, { verifiers: ['md5plain'] }).ok);
  t.regex((checkZitadelImport(md5, { verifiers: ['bcrypt'] }) as { reason: string }).reason, /no enabled ZITADEL verifier/);
  const long = `$pbkdf2-sha256$1000$${'A'.repeat(120)}$${'B'.repeat(120)}`;
  t.regex((checkZitadelImport(long) as { reason: string }).reason, /longer than 200/);
});

test("the bridge's own work caps guard ZITADEL-format verification too", async (t) => {
  const heavy = `$P$S${'a'.repeat(30)}`;
  t.true(checkZitadelImport(heavy).ok, 'ZITADEL allows phpass log2 up to 31');
  await t.throwsAsync(verifyZitadelHash(heavy, password), { instanceOf: ZitadelHashError, message: /cap/ });
});
