import { Writable } from 'node:stream';
import test from 'ava';
import { createLogger } from '../../src/server/logger.js';

/** What a logger at `info` writes for one line with `fields`. */
function logged(fields: object): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  createLogger('info', sink).error(fields, 'failed');
  return out;
}

test('credentials an error carries in its request headers never reach the log, whatever their case or depth', (t) => {
  const error = Object.assign(new Error('upstream refused'), {
    headers: { authorization: 'Bearer s1', Authorization: 'Bearer s2', cookie: 'c1', Cookie: 'c2' },
    req: { headers: { Authorization: 'Bearer s3', authorization: 'Bearer s4', cookie: 'c3', Cookie: 'c4' } },
  });
  const line = logged({ err: error, password: 'p', client: { secret: 's5' } });
  for (const secret of ['s1', 's2', 's3', 's4', 'c1', 'c2', 'c3', 'c4', '"p"', 's5']) t.false(line.includes(secret), `${secret} in ${line}`);
  // The rest of the error stays useful.
  t.true(line.includes('upstream refused'));
});
