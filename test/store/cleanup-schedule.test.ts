import test from 'ava';
import { scheduleCleanup } from '../../src/store/cleanup.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('cleanup rounds run their jobs one after the other, never two rounds at once, the first soon after start', async (t) => {
  const events: string[] = [];
  let active = 0;
  let most = 0;
  const job = (name: string, ms: number) => async () => {
    active += 1;
    most = Math.max(most, active);
    events.push(`${name} start`);
    await sleep(ms);
    events.push(`${name} end`);
    active -= 1;
  };
  // Rounds are due every 20 ms but take about 60: the ones due meanwhile pass.
  const stop = scheduleCleanup([job('a', 30), job('b', 30)], 20, () => t.fail('no job fails'), 5);
  await sleep(150);
  stop();
  await sleep(80);
  t.is(most, 1, events.join(', '));
  t.deepEqual(events.slice(0, 4), ['a start', 'a end', 'b start', 'b end']);
});

test('a failing job is reported and the round goes on', async (t) => {
  const errors: unknown[] = [];
  let ran = false;
  const stop = scheduleCleanup(
    [() => Promise.reject(new Error('boom')), async () => void (ran = true)],
    1000,
    (error) => errors.push(error),
    1,
  );
  await sleep(200);
  stop();
  t.is(errors.length, 1);
  t.true(ran);
});
