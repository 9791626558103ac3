import { createHmac } from 'node:crypto';
import test from 'ava';
import { verifySignature } from '../../src/zitadel/signature.js';

const body = Buffer.from('{"fullMethod":"/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent"}');
const sign = (key: string, seconds: number, payload = body) => createHmac('sha256', key).update(`${seconds}.`).update(payload).digest('hex');
const now = Date.now();
const t0 = Math.floor(now / 1000);

test('a signature by any configured key, several v1 values, within the tolerance', (t) => {
  t.deepEqual(verifySignature(body, `t=${t0},v1=${sign('k1', t0)}`, ['k1'], 300, now), { ok: true });
  t.deepEqual(verifySignature(body, `t=${t0},v1=${sign('old', t0)},v1=${sign('k2', t0)}`, ['k1', 'k2'], 300, now), { ok: true });
  t.deepEqual(verifySignature(body, `t=${t0 - 299},v1=${sign('k1', t0 - 299)}`, ['k1'], 300, now), { ok: true });
});

test('refusals: missing, malformed, expired, future, other key, other body', (t) => {
  t.is(verifySignature(body, undefined, ['k1'], 300, now).ok, false);
  for (const header of ['garbage', 't=abc,v1=00', `v1=${sign('k1', t0)}`, `t=${t0}`, `t=${t0},v1=${sign('k1', t0)}=x`]) {
    t.deepEqual(verifySignature(body, header, ['k1'], 300, now), { ok: false, reason: 'malformed' }, header);
  }
  t.deepEqual(verifySignature(body, `t=${t0 - 301},v1=${sign('k1', t0 - 301)}`, ['k1'], 300, now), { ok: false, reason: 'expired' });
  t.deepEqual(verifySignature(body, `t=${t0 + 400},v1=${sign('k1', t0 + 400)}`, ['k1'], 300, now), { ok: false, reason: 'expired' });
  t.deepEqual(verifySignature(body, `t=${t0},v1=${sign('k2', t0)}`, ['k1'], 300, now), { ok: false, reason: 'mismatch' });
  t.deepEqual(verifySignature(Buffer.from(`${body} `), `t=${t0},v1=${sign('k1', t0)}`, ['k1'], 300, now), { ok: false, reason: 'mismatch' });
  // The signed timestamp is part of the MAC: moving it invalidates the signature.
  t.deepEqual(verifySignature(body, `t=${t0 + 1},v1=${sign('k1', t0)}`, ['k1'], 300, now), { ok: false, reason: 'mismatch' });
});
