import test from 'ava';
import { writeLdapSsha } from '../../src/passwords/index.js';
import { closeDatabases } from '../support/databases.js';
import { ledgerOf, startMigrationWorld } from '../support/migration-world.js';
import { login } from '../support/relying-party.js';
import { LONG_PASSWORD } from '../zitadel/without-hash-world.js';

// A reset link that is due stays due through failed attempts and further logins, until it has gone out.

test.after.always(closeDatabases);

test('migrate retry during a ZITADEL outage keeps a due reset due; the link goes out once ZITADEL is back, even after another login', async (t) => {
  const world = await startMigrationWorld({
    users: [{ username: 'lena', email: 'lena@example.com', firstName: 'Lena', lastName: 'Long', password: LONG_PASSWORD, store: async (p) => ({ hash: writeLdapSsha(p) }) }],
    schemes: ['ldap-ssha'],
    verifiers: [],
    proxy: true,
    zitadel: { withoutHash: 'reset', retries: 0, timeoutMs: 2000 },
  });
  t.teardown(() => world.close());
  const { login: done, intent: outcome } = await world.brokeredLogin('lena', LONG_PASSWORD);
  t.true(outcome.created);
  t.true((await ledgerOf(world).get(done.idToken.sub))!.resetDue);
  await world.zitadelProxy!.cut();
  const during = await world.bridge.migration.retry();
  await world.zitadelProxy!.restore();
  t.is(during.failed.length, 1);
  t.regex(during.failed[0]!.reason, /^created without a password.*last attempt: .*ZITADEL/);
  await login(world.rp, world.bridge, 'lena', LONG_PASSWORD);
  t.true((await ledgerOf(world).get(done.idToken.sub))!.resetDue, 'still due after another login');
  const after = await world.bridge.migration.retry();
  t.is(after.completed, 1);
  t.is(world.zitadel.double.state.passwordResets.filter((reset) => reset.userId === outcome.userId).length, 1);
});

