import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { IDPOwnerType } from '@zitadel/proto/zitadel/idp_pb.js';
import test from 'ava';
import { errorKey, rejection, startDouble, unique, type DoubleWithClients } from './fixtures.js';

// What a `zitadel setup` command does: IdPs, login policy, Actions v2 target and execution.

let z: DoubleWithClients;
test.before(async () => {
  z = await startDouble();
});
test.after.always(() => z.double.close());

const oidc = (name: string) => ({
  name,
  issuer: 'https://bridge.example.com',
  clientId: 'zitadel',
  clientSecret: 's3cret',
  scopes: ['openid', 'profile', 'email'],
  providerOptions: { isLinkingAllowed: true, isCreationAllowed: true, isAutoCreation: true, isAutoUpdate: false },
  isIdTokenMapping: false,
  usePkce: true,
});

test('organization IdPs live in the x-zitadel-orgid organization', async (t) => {
  const org = z.double.addOrg({ name: unique('Acme') });
  const headers = { 'x-zitadel-orgid': org.id };
  const { id } = await z.management.addGenericOIDCProvider(oidc('legacy'), { headers });
  t.is(z.double.state.idps.get(id)?.orgId, org.id);
  const listed = await z.management.listProviders({ queries: [{ query: { case: 'idpIdQuery', value: { id } } }] }, { headers });
  t.is(listed.result[0]?.config?.config.case, 'oidc');
  t.is(listed.result[0]?.owner, IDPOwnerType.IDP_OWNER_TYPE_ORG);
  // Not visible from the default organization.
  t.is((await rejection(t, z.management.getProviderByID({ id }))).code, Code.NotFound);

  await z.management.updateGenericOIDCProvider({ ...oidc('legacy renamed'), id, clientSecret: '' }, { headers });
  const idp = z.double.state.idps.get(id)!;
  t.is(idp.name, 'legacy renamed');
  t.is(idp.clientSecret, 's3cret', 'an empty secret keeps the stored one');
  t.true(idp.usePkce);
});

test('an org IdP joins the login policy only once the org has a custom policy', async (t) => {
  const org = z.double.addOrg({ name: unique('Policy') });
  const headers = { 'x-zitadel-orgid': org.id };
  const { id } = await z.management.addGenericOIDCProvider(oidc('legacy'), { headers });
  const before = await z.management.getLoginPolicy({}, { headers });
  t.true(before.isDefault);
  const error = await rejection(t, z.management.addIDPToLoginPolicy({ idpId: id, ownerType: IDPOwnerType.IDP_OWNER_TYPE_ORG }, { headers }));
  t.is(error.code, Code.NotFound);
  t.is(errorKey(error), 'Errors.Org.LoginPolicy.NotFound');
  await z.management.addCustomLoginPolicy({ allowUsernamePassword: true, allowExternalIdp: true }, { headers });
  await z.management.addIDPToLoginPolicy({ idpId: id, ownerType: IDPOwnerType.IDP_OWNER_TYPE_ORG }, { headers });
  const after = await z.management.getLoginPolicy({}, { headers });
  t.false(after.isDefault);
  t.deepEqual(after.policy?.idps.map((link) => link.idpId), [id]);
  t.is((await rejection(t, z.management.addIDPToLoginPolicy({ idpId: id, ownerType: IDPOwnerType.IDP_OWNER_TYPE_ORG }, { headers }))).code, Code.AlreadyExists);
});

test('instance IdPs and the default login policy through the admin API', async (t) => {
  const { id } = await z.admin.addGenericOIDCProvider(oidc(unique('instance')));
  await z.admin.addIDPToLoginPolicy({ idpId: id });
  const { policy } = await z.admin.getLoginPolicy({});
  t.true(policy?.idps.some((link) => link.idpId === id));
  t.is((await z.admin.getProviderByID({ id })).idp?.owner, IDPOwnerType.IDP_OWNER_TYPE_SYSTEM);
  // Organizations see instance IdPs too.
  t.is((await z.management.getProviderByID({ id })).idp?.id, id);
  t.is((await rejection(t, z.admin.addGenericOIDCProvider({ ...oidc('x'), issuer: '' }))).code, Code.InvalidArgument);
});

test('Actions v2: a target returns its signing key, an execution binds it to a response method', async (t) => {
  const created = await z.actions.createTarget({
    name: unique('bridge hook'),
    endpoint: 'https://bridge.example.com/hook',
    timeout: durationFromMs(10_000),
    targetType: { case: 'restCall', value: { interruptOnError: true } },
  });
  t.truthy(created.signingKey);
  t.is(z.double.signingKeyFor(created.id), created.signingKey);
  const method = '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent';
  await z.actions.setExecution({ condition: { conditionType: { case: 'response', value: { condition: { case: 'method', value: method } } } }, targets: [created.id] });
  t.deepEqual(z.double.state.executions.get(`response:method:${method}`)?.targets, [created.id]);
  const { target } = await z.actions.getTarget({ id: created.id });
  t.is(target?.targetType.case, 'restCall');
  t.is((await z.actions.listTargets({ filters: [{ filter: { case: 'inTargetIdsFilter', value: { targetIds: [created.id] } } }] })).targets.length, 1);

  const rotated = await z.actions.updateTarget({ id: created.id, endpoint: 'https://bridge.example.com/v2/hook', expirationSigningKey: durationFromMs(60_000) });
  t.truthy(rotated.signingKey);
  t.not(rotated.signingKey, created.signingKey);
  t.is(z.double.state.targets.get(created.id)?.endpoint, 'https://bridge.example.com/v2/hook');
  t.is((await rejection(t, z.actions.setExecution({ condition: { conditionType: { case: 'response', value: { condition: { case: 'method', value: method } } } }, targets: ['404'] }))).code, Code.NotFound);
});
