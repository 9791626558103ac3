import test from 'ava';
import bcrypt from 'bcrypt';
import { createPasswordChecker } from '../../src/passwords/index.js';
import { bcryptScheme } from '../../src/passwords/schemes/bcrypt.js';
import { registry } from '../../src/passwords/registry.js';
import { DEFAULT_BOUNDS } from '../../src/passwords/bounds.js';

/** Timing equalisation: every scheme can spend one typical verification for an unknown user. */

const ctx = {
  bounds: DEFAULT_BOUNDS,
  options: { saltOrder: 'salt+password' as const, firebase: { signerKey: 'AAAA', saltSeparator: 'Bw==', rounds: 8, memCost: 14 } },
};

for (const scheme of registry.values()) {
  test(`${scheme.id}: its dummy is its own well-formed value and verifies as false`, async (t) => {
    const stored = scheme.dummy?.(ctx);
    if (!stored) return t.fail('no dummy');
    t.true(scheme.identify(stored));
    t.false(await scheme.verify(Buffer.from('not the password'), stored, ctx));
  });
}

test('verifyDummy never throws for a wrong password, before and after a real hash of the first scheme, and says whether it hashed', async (t) => {
  const checker = createPasswordChecker({ schemes: ['pbkdf2-sha256', 'bcrypt'] });
  t.true(await checker.verifyDummy('anything'));
  const real = { hash: '$pbkdf2-sha256$29000$ppRSyjknxNj7XwtBqPV.Dw$3HyFbEoZ1CkzvkkqkEXgAo5oKBFSj9tbSysbl7uFmrE' };
  t.true((await checker.verify('password', real)).ok);
  t.true(await checker.verifyDummy('password'));
  // Over the length cap: refused without hashing, so its duration must not set the failure floor.
  t.false(await checker.verifyDummy('x'.repeat(5000)));
  await checker.close();
});

test.serial('one login against a row of unusual cost does not make it what every unknown name costs', async (t) => {
  const checker = createPasswordChecker({ schemes: ['bcrypt'] });
  const typical = await Promise.all(['a', 'b', 'c'].map(async (name) => ({ hash: await bcrypt.hash(name, 4) })));
  const outlier = { hash: await bcrypt.hash('costly', 10) };
  const verify = bcryptScheme.verify;
  const imitated: string[] = [];
  try {
    for (const stored of [...typical, outlier]) await checker.verify('wrong', stored);
    // Which stored value the dummy verification computes: seen where the checker calls the scheme.
    bcryptScheme.verify = (password, stored, ctx) => {
      imitated.push(stored.hash);
      return verify(password, stored, ctx);
    };
    await checker.verifyDummy('unknown');
  } finally {
    bcryptScheme.verify = verify;
    await checker.close();
  }
  t.is(imitated.length, 1);
  t.true(typical.some((stored) => stored.hash === imitated[0]));
});
