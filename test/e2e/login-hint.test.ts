import test from 'ava';
import { DEMO_COLUMNS } from '../../src/legacy/demo-seed.js';
import { LegacyUnavailableError, type LegacyDirectory } from '../../src/legacy/directory.js';
import { formOf } from '../support/browser.js';
import { startTestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS } from '../support/legacy-users.js';
import { login, startAuthorization, zitadelRelyingParty } from '../support/relying-party.js';

test.after.always(closeDatabases);

/** A bridge whose login column `username` is no profile column: only the directory knows a user's username. */
async function bridgeWithHiddenUsernames(t: { teardown(fn: () => Promise<void>): void }) {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_hint');
  await createLegacyTable(db, table, STANDARD_USERS);
  const { preferredUsername: _notMapped, ...columns } = DEMO_COLUMNS;
  const bridge = await startTestBridge({ db, legacy: legacySection(table, { columns }) });
  t.teardown(() => bridge.close());
  return { bridge, rp: await zitadelRelyingParty(bridge) };
}

/** Make one directory method fail as an outage does. */
function cut(directory: LegacyDirectory, method: 'findByLogin' | 'findById'): () => void {
  const original = directory[method];
  directory[method] = async () => {
    throw new LegacyUnavailableError('legacy database down (test)');
  };
  return () => void (directory[method] = original);
}

test('a login_hint naming the signed-in user by a login name only the directory knows keeps single sign-on; others ask for a login', async (t) => {
  const { bridge, rp } = await bridgeWithHiddenUsernames(t);
  const { browser } = await login(rp, bridge, 'alice', 'wonderland');
  const same = await startAuthorization(rp, bridge, { browser, loginHint: 'ALICE' });
  t.truthy(same.leftTo?.searchParams.get('code'));
  for (const loginHint of ['bob', 'no-such-user']) {
    const other = await startAuthorization(rp, bridge, { browser, loginHint });
    t.is(other.leftTo, undefined, loginHint);
    t.is(formOf(await other.page.text(), '/login').fields.login, loginHint);
  }
});

test('a legacy outage while the login_hint is checked answers temporarily_unavailable, as an outage loading the account does', async (t) => {
  const { bridge, rp } = await bridgeWithHiddenUsernames(t);
  const { browser } = await login(rp, bridge, 'alice', 'wonderland');

  const restoreLogin = cut(bridge.directory, 'findByLogin');
  const duringHint = await startAuthorization(rp, bridge, { browser, loginHint: 'bob' });
  restoreLogin();
  t.is(duringHint.leftTo?.searchParams.get('error'), 'temporarily_unavailable', `HTTP ${duringHint.page.status}`);

  // The reference: the same outage where the provider loads the signed-in account.
  const restoreId = cut(bridge.directory, 'findById');
  const duringAccount = await startAuthorization(rp, bridge, { browser });
  restoreId();
  t.is(duringAccount.leftTo?.searchParams.get('error'), 'temporarily_unavailable');
  t.is(duringHint.leftTo?.pathname, duringAccount.leftTo?.pathname);
});
