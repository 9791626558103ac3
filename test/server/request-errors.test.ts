import test from 'ava';
import { isClientAbort } from '../../src/server/request-errors.js';

const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

test('a reset connection is the client going away only when the client connection is gone', (t) => {
  t.true(isClientAbort(reset, { path: '/token', req: { destroyed: true, socket: { destroyed: true } } }));
  t.true(isClientAbort(reset, { path: '/token', req: { socket: null } }));
  // A database reset mid-query while the client still waits for its answer: an outage, not a client.
  t.false(isClientAbort(reset, { path: '/token', req: { destroyed: false, socket: { destroyed: false } } }));
});

test('broken HTTP and a cut-off body are the client whatever the connection', (t) => {
  const alive = { req: { destroyed: false, socket: { destroyed: false } } };
  t.true(isClientAbort(Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD' }), alive));
  t.true(isClientAbort(Object.assign(new Error('request aborted'), { type: 'request.aborted' }), alive));
  t.false(isClientAbort(new Error('boom'), alive));
});
