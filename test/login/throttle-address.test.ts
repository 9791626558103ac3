import test from 'ava';
import { addressKey, LoginThrottle } from '../../src/login/throttle.js';
import { closeDatabases, sharedEmbeddedDatabase } from '../support/databases.js';

test.after.always(closeDatabases);

test('an IPv6 client counts against its /64, an IPv4 one against its address, however it is written', (t) => {
  t.is(addressKey('203.0.113.7'), '203.0.113.7');
  t.is(addressKey('::ffff:203.0.113.7'), '203.0.113.7');
  t.is(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  t.is(addressKey('2001:0db8:0001:0002::1'), '2001:db8:1:2::/64');
  t.is(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  t.is(addressKey('2001:db8:1:2::7%eth0'), '2001:db8:1:2::/64');
  t.is(addressKey('::1'), '0:0:0:0::/64');
  t.is(addressKey('64:ff9b::192.0.2.33'), '64:ff9b:0:0::/64');
  t.not(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
});

test('failures from addresses of one /64 add up: a new address in it is no fresh counter', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const throttle = new LoginThrottle(db, { maxFailures: 100, maxFailuresPerAddress: 3, windowSeconds: 60 });
  for (let host = 1; host <= 3; host += 1) {
    const attempt = await throttle.begin({ typed: `login:spray-${host}` }, `2001:db8:77:1::${host}`);
    t.true(attempt.allowed);
    await attempt.failed();
  }
  t.false((await throttle.begin({ typed: 'login:spray-4' }, '2001:db8:77:1::ffff')).allowed, 'same /64');
  const elsewhere = await throttle.begin({ typed: 'login:spray-5' }, '2001:db8:77:2::1');
  t.true(elsewhere.allowed, 'another /64');
  elsewhere.abandoned();
});
