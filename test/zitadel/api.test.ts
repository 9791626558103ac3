import test from 'ava';
import { createZitadelApi } from '../../src/zitadel/api.js';
import { startZitadelDouble } from '../support/zitadel/index.js';
import { testHashPolicy } from '../zitadel-double/hash-policy.js';

test('a user is looked up by username in the bridge\'s organization only: a namesake elsewhere is someone else', async (t) => {
  const double = await startZitadelDouble({ pat: 'pat', hashPolicy: testHashPolicy });
  t.teardown(() => double.close());
  const other = double.addOrg({ name: 'Other', domain: 'other.localhost' });
  const idp = double.addGenericOidcIdp({ name: 'legacy bridge' });
  const api = (organizationId: string) => createZitadelApi({ url: double.url, pat: 'pat', organizationId, idpId: idp.id, timeoutMs: 5000, retries: 0 });
  const user = { legacyId: 'l-1', givenName: 'Nora', familyName: 'Namesake', email: 'nora@other.example', emailVerified: true, metadata: [] };
  const elsewhere = await api(other.id).createUser({ ...user, username: 'nora' });

  t.is(await api(double.defaultOrgId).findUserByUsername('nora'), undefined);
  t.like(await api(other.id).findUserByUsername('NORA'), { userId: elsewhere });
});
