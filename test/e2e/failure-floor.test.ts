import test from 'ava';
import type { LegacyDirectory, LegacyUser } from '../../src/legacy/directory.js';
import { Authenticator } from '../../src/login/authenticate.js';
import { FailureFloor, type Clock } from '../../src/login/failure-floor.js';
import type { PasswordChecker } from '../../src/passwords/index.js';
import { createLogger } from '../../src/server/logger.js';

/** Failed logins must not tell a cheap stored hash from an unknown name by how long they take. */

const DUMMY_MS = 80; // the dummy verification: bcrypt, the first configured scheme
const CHEAP_MS = 9; // the user's own hash: salted SHA-256
const MAX_PASSWORD = 1024;

/** A clock that only moves when told: verifications advance it by their cost, sleeps are recorded. */
class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

function setUp() {
  const clock = new FakeClock();
  let dummies = 0;
  const passwords: PasswordChecker = {
    async verify(password) {
      clock.time += CHEAP_MS;
      return { ok: password === 'right', scheme: 'sha256-salted' };
    },
    async verifyDummy(password) {
      // As the real checker: a password over the length cap fails at once, without hashing.
      if (password.length > MAX_PASSWORD) return false;
      dummies += 1;
      clock.time += DUMMY_MS;
      return true;
    },
    identify: () => 'sha256-salted',
    close: async () => {},
  };
  const directory = {} as LegacyDirectory;
  const authenticator = new Authenticator(directory, passwords, createLogger('silent'), new FailureFloor(clock));
  return { clock, authenticator, dummies: () => dummies };
}

const user = (disabled = false): LegacyUser => ({ id: '7', credential: { hash: 'cheap', salt: 'salt' }, disabled, profile: {} });

/** How long `check` took on the fake clock. */
async function timed(clock: FakeClock, check: () => Promise<unknown>): Promise<number> {
  const started = clock.time;
  await check();
  return clock.time - started;
}

test('a wrong password of a user with a cheap hash waits for the floor an unknown name sets', async (t) => {
  const { clock, authenticator } = setUp();
  t.is(await timed(clock, () => authenticator.check(undefined, 'guess')), DUMMY_MS);
  t.deepEqual(clock.sleeps, [], 'the dummy verification itself takes the floor');
  const outcome = await authenticator.check(user(), 'wrong');
  t.deepEqual(outcome, { ok: false, reason: 'wrong-password' });
  t.deepEqual(clock.sleeps, [DUMMY_MS - CHEAP_MS], 'the rest is waited out with a timer');
});

test('a disabled user with the right password waits for the floor too', async (t) => {
  const { clock, authenticator } = setUp();
  await authenticator.check(undefined, 'guess');
  const outcome = await authenticator.check(user(true), 'right');
  t.deepEqual(outcome, { ok: false, reason: 'disabled' });
  t.deepEqual(clock.sleeps, [DUMMY_MS - CHEAP_MS]);
});

test('a successful login is never delayed', async (t) => {
  const { clock, authenticator } = setUp();
  await authenticator.check(undefined, 'guess');
  const outcome = await authenticator.check(user(), 'right');
  t.true(outcome.ok);
  t.deepEqual(clock.sleeps, []);
});

test('a failure before any unknown name has set the floor measures it with one dummy verification', async (t) => {
  const { clock, authenticator, dummies } = setUp();
  t.true((await timed(clock, () => authenticator.check(user(), 'wrong'))) >= DUMMY_MS);
  t.is(dummies(), 1);
  // From then on the floor is known: timers, no more dummy work.
  await authenticator.check(user(), 'wrong');
  t.is(dummies(), 1);
  t.deepEqual(clock.sleeps, [DUMMY_MS - CHEAP_MS]);
});

test('unknown names with passwords over the length cap (no hashing done) do not wear the floor down', async (t) => {
  const { clock, authenticator } = setUp();
  await authenticator.check(undefined, 'guess');
  for (let i = 0; i < 50; i += 1) await authenticator.check(undefined, 'x'.repeat(MAX_PASSWORD + 1));
  clock.sleeps.length = 0;
  t.is(await timed(clock, () => authenticator.check(user(), 'wrong')), DUMMY_MS);
  t.deepEqual(clock.sleeps, [DUMMY_MS - CHEAP_MS]);
});

test("a locked user's attempt fails without a password check, in the time any failure takes", async (t) => {
  const { clock, authenticator, dummies } = setUp();
  await authenticator.check(undefined, 'guess');
  const before = dummies();
  const took = await timed(clock, async () => t.deepEqual(await authenticator.refuse('right'), { ok: false, reason: 'locked' }));
  t.is(took, DUMMY_MS);
  t.is(dummies(), before, 'no verification');
});
