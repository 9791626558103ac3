import { createHash, createHmac } from 'node:crypto';
import test from 'ava';
import { createPasswordChecker, passwordsConfigSchema, UnsupportedHashError } from '../../src/passwords/index.js';

/** A source names its schemes; detection chooses among them only, in the configured order. */

const salt = 'a1b2c3';
const password = 'hunter2!';
const djangoSha1 = `sha1$${salt}$${createHash('sha1').update(salt + password).digest('hex')}`;
const werkzeugSha1 = `sha1$${salt}$${createHmac('sha1', salt).update(password).digest('hex')}`;

test('`sha1$salt$hex` is Django or Werkzeug as the configured order says, and each verifies its own construction', async (t) => {
  const django = createPasswordChecker({ schemes: ['django-sha1', 'werkzeug-hmac'] });
  const werkzeug = createPasswordChecker({ schemes: ['werkzeug-hmac', 'django-sha1'] });
  t.is(django.identify({ hash: djangoSha1 }), 'django-sha1');
  t.is(werkzeug.identify({ hash: djangoSha1 }), 'werkzeug-hmac');
  t.deepEqual(await django.verify(password, { hash: djangoSha1 }), { ok: true, scheme: 'django-sha1' });
  t.deepEqual(await werkzeug.verify(password, { hash: werkzeugSha1 }), { ok: true, scheme: 'werkzeug-hmac' });
  t.false((await django.verify(password, { hash: werkzeugSha1 })).ok);
  await Promise.all([django.close(), werkzeug.close()]);
});

test('32 hex digits: the first listed of the schemes that claim them wins; a salt column selects the salted form', async (t) => {
  const hex = createHash('md5').update(password).digest('hex');
  const a = createPasswordChecker({ schemes: ['md5-hex', 'django-unsalted-md5'] });
  const b = createPasswordChecker({ schemes: ['django-unsalted-md5', 'md5-hex'] });
  const c = createPasswordChecker({ schemes: ['md5-hex', 'md5-salted'], options: { saltOrder: 'password+salt' } });
  t.is(a.identify({ hash: hex }), 'md5-hex');
  t.is(b.identify({ hash: hex }), 'django-unsalted-md5');
  t.is(c.identify({ hash: hex, salt: 'pepper' }), 'md5-salted');
  t.is(c.identify({ hash: hex, salt: null }), 'md5-hex');
  await Promise.all([a.close(), b.close(), c.close()]);
});

test('a value no configured scheme recognises is UnsupportedHashError, even if another registered scheme would', async (t) => {
  const warnings: object[] = [];
  const checker = createPasswordChecker({ schemes: ['bcrypt'] }, { warn: (obj) => warnings.push(obj) });
  const error = await t.throwsAsync(checker.verify(password, { hash: djangoSha1 }), { instanceOf: UnsupportedHashError });
  t.is(error?.code, 'HASH_UNSUPPORTED');
  t.is(checker.identify({ hash: djangoSha1 }), undefined);
  t.is(warnings.length, 1);
  t.false(JSON.stringify(warnings).includes(djangoSha1));
  await checker.close();
});

test('configuration names unknown schemes and lists the known ones', (t) => {
  const result = passwordsConfigSchema.safeParse({ schemes: ['bcrypt', 'md5-crypted'] });
  t.false(result.success);
  const message = result.error?.issues.map((issue) => issue.message).join('\n') ?? '';
  t.regex(message, /unknown scheme md5-crypted/);
  t.regex(message, /known: .*md5-crypt/);
});

test('salted digests need an explicit salt order', (t) => {
  t.false(passwordsConfigSchema.safeParse({ schemes: ['sha1-salted'] }).success);
  t.true(passwordsConfigSchema.safeParse({ schemes: ['sha1-salted'], options: { saltOrder: 'salt+password' } }).success);
});
