import test from 'ava';
import { createPasswordChecker, PasswordBusyError } from '../../src/passwords/index.js';
import { Limiter } from '../../src/passwords/runtime/limiter.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('the limiter runs up to its slots, queues up to its limit, and refuses beyond at once', async (t) => {
  const limiter = new Limiter(2, 1);
  const gates = [gate(), gate(), gate()];
  let running = 0;
  let peak = 0;
  const task = (g: { promise: Promise<void> }) => async () => {
    running++;
    peak = Math.max(peak, running);
    await g.promise;
    running--;
    return 'done';
  };
  const first = limiter.run(task(gates[0]!));
  const second = limiter.run(task(gates[1]!));
  const queued = limiter.run(task(gates[2]!));
  await t.throwsAsync(limiter.run(async () => 'never'), { instanceOf: PasswordBusyError, message: /saturated/ });
  gates.forEach((g) => g.open());
  t.deepEqual(await Promise.all([first, second, queued]), ['done', 'done', 'done']);
  t.is(peak, 2);
  // Slots are free again.
  t.is(await limiter.run(async () => 'again'), 'again');
});

test('a failing task frees its slot', async (t) => {
  const limiter = new Limiter(1, 0);
  await t.throwsAsync(limiter.run(async () => Promise.reject(new Error('boom'))), { message: 'boom' });
  t.is(await limiter.run(async () => 1), 1);
});

test('a saturated checker answers PasswordBusyError at once, with code PASSWORDS_BUSY', async (t) => {
  const checker = createPasswordChecker({ schemes: ['bcrypt'], concurrency: 1, queueLimit: 1 });
  const stored = { hash: '$2b$10$mk0RlhuNFhONFEfUc2VpD.1jkVmVM/rSRR/ov2E4RM4hdrs5710MK' };
  const running = checker.verify('correct horse battery staple', stored);
  const waiting = checker.verify('wrong', stored);
  const refused = await t.throwsAsync(checker.verify('wrong again', stored), { instanceOf: PasswordBusyError });
  t.is(refused?.code, 'PASSWORDS_BUSY');
  await t.throwsAsync(checker.verifyDummy('unknown user'), { instanceOf: PasswordBusyError });
  t.true((await running).ok);
  t.false((await waiting).ok);
  t.true((await checker.verify('correct horse battery staple', stored)).ok);
  await checker.close();
});
