import { randomUUID } from 'node:crypto';
import test from 'ava';
import { LoginThrottle } from '../../src/login/throttle.js';
import type { Queryable } from '../../src/store/database.js';
import { closeDatabases, sharedEmbeddedDatabase } from '../support/databases.js';

test.after.always(closeDatabases);

/** The database, with its next read of the counters held until `open` is called. */
function withHeldRead(db: Queryable) {
  let held: { open: () => void; reached: Promise<void> } | undefined;
  const gated: Queryable = {
    query: (async (text: string, values?: unknown[]) => {
      const hold = held;
      if (hold && text.startsWith('SELECT')) {
        held = undefined;
        await hold.reached;
      }
      return db.query(text, values as never);
    }) as Queryable['query'],
  } as Queryable;
  const holdNextRead = () => {
    let open!: () => void;
    held = { open: () => open(), reached: new Promise<void>((resolve) => (open = resolve)) };
    return held.open;
  };
  return { gated, holdNextRead };
}

const limits = { maxFailures: 3, maxFailuresPerAddress: 1000, windowSeconds: 60 };

test('a failure recorded while another attempt reads the counts is counted once, not twice', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const { gated, holdNextRead } = withHeldRead(db);
  const throttle = new LoginThrottle(gated, limits);
  const account = { typed: `login:${randomUUID()}` };
  const first = await throttle.begin(account, '192.0.2.10');
  const second = await throttle.begin(account, '192.0.2.11');
  t.true(first.allowed && second.allowed);

  // A third attempt reads the counts; the first one's failure is written while that read is under way.
  const open = holdNextRead();
  const third = throttle.begin(account, '192.0.2.12');
  const firstFailed = first.failed();
  open();
  await firstFailed;
  // One failure recorded, one attempt under way: the limit of three allows this third check.
  const thirdAttempt = await third;
  t.true(thirdAttempt.allowed);
  await Promise.all([second.failed(), thirdAttempt.failed()]);
  t.false((await throttle.begin(account, '192.0.2.13')).allowed, 'three failures recorded');
});

test('parallel attempts: exactly as many are checked as the limit allows, and an abandoned one frees its place', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const throttle = new LoginThrottle(db, limits);
  const account = { typed: `login:${randomUUID()}` };
  const attempts = await Promise.all(Array.from({ length: 8 }, (_, i) => throttle.begin(account, `192.0.2.${20 + i}`)));
  t.is(attempts.filter((attempt) => attempt.allowed).length, 3);
  const [abandoned, ...checked] = attempts.filter((attempt) => attempt.allowed);
  abandoned!.abandoned();
  await Promise.all(checked.map((attempt) => attempt.failed()));
  const again = await throttle.begin(account, '192.0.2.40');
  t.true(again.allowed, 'two failures and nothing under way');
  await again.failed();
  t.false((await throttle.begin(account, '192.0.2.41')).allowed);
});

test('a success clears the account while others read it: the next attempt is counted from zero', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const throttle = new LoginThrottle(db, limits);
  const account = { typed: `login:${randomUUID()}` };
  for (let i = 0; i < 2; i += 1) await (await throttle.begin(account, '192.0.2.50')).failed();
  const right = await throttle.begin(account, '192.0.2.51');
  t.true(right.allowed);
  const [, ...later] = await Promise.all([right.succeeded(), ...Array.from({ length: 4 }, () => throttle.begin(account, '192.0.2.52'))]);
  // The success, begun first, is settled first: the later attempts start from a clean account.
  t.is(later.filter((attempt) => attempt.allowed).length, 3);
  for (const attempt of later) if (attempt.allowed) attempt.abandoned();
});

test('an attempt refused after waiting its turn is told to come back when the window ends, never later than one window', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const { gated, holdNextRead } = withHeldRead(db);
  const throttle = new LoginThrottle(gated, limits);
  const account = { typed: `login:${randomUUID()}` };
  const [first, second] = [await throttle.begin(account, '192.0.2.60'), await throttle.begin(account, '192.0.2.61')];
  const open = holdNextRead();
  const third = throttle.begin(account, '192.0.2.62');
  // Queued behind the third's read: the first's failure, then a fourth attempt, which waits a while.
  const firstFailed = first.failed();
  const fourth = throttle.begin(account, '192.0.2.63');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  open();
  t.true((await third).allowed);
  await firstFailed;
  const refused = await fourth;
  t.false(refused.allowed);
  t.true(refused.retryAfterSeconds <= limits.windowSeconds, `Retry-After ${refused.retryAfterSeconds}`);
  t.true(refused.retryAfterSeconds >= limits.windowSeconds - 2, `Retry-After ${refused.retryAfterSeconds}`);
  await second.failed();
});

test('a read the database never answers holds up later attempts on its keys for one turn wait, not for ever', async (t) => {
  const db = await sharedEmbeddedDatabase();
  const { gated, holdNextRead } = withHeldRead(db);
  const throttle = new LoginThrottle(gated, limits, 50);
  const open = holdNextRead();
  const stalled = throttle.begin({ typed: `login:${randomUUID()}` }, '192.0.2.70');
  // Other accounts from the same address: behind the stalled read in turn, each goes ahead after the wait.
  const later = await Promise.race([
    Promise.all([throttle.begin({ typed: `login:${randomUUID()}` }, '192.0.2.70'), throttle.begin({ typed: `login:${randomUUID()}` }, '192.0.2.70')]),
    new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 20_000)),
  ]);
  t.not(later, 'still waiting');
  if (later !== 'still waiting') {
    t.true(later.every((attempt) => attempt.allowed));
    for (const attempt of later) attempt.abandoned();
  }
  open();
  (await stalled).abandoned();
});
