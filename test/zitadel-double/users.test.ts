import { createHash } from 'node:crypto';
import { Code } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { createServerTransport } from '@zitadel/client/node';
import { createUserServiceClient } from '@zitadel/client/v2';
import { TextQueryMethod } from '@zitadel/proto/zitadel/object/v2/object_pb.js';
import test from 'ava';
import { bcryptHash, errorKey, humanRequest, rejection, startDouble, unique, type DoubleWithClients } from './fixtures.js';

let z: DoubleWithClients;
test.before(async () => {
  z = await startDouble();
});
test.after.always(() => z.double.close());

const hashed = (hash: string, changeRequired = false) => ({ passwordType: { case: 'hashedPassword', value: { hash, changeRequired } } });

test('a user created with a bcrypt hash through @zitadel/client checks its password like ZITADEL', async (t) => {
  const username = unique('alice');
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, username, hashed(await bcryptHash('Legacy-pass1', 10, '2y'))));
  t.regex(id, /^\d{15,}$/);
  t.false(await z.double.checkPassword(username, 'wrong'));
  t.true(await z.double.checkPassword(username, 'Legacy-pass1'));
  // ZITADEL re-hashes an imported hash with its own hasher at the first successful login.
  const stored = z.double.state.users.get(id)!.password!;
  t.false(stored.imported);
  t.regex(stored.encoded, /^\$2b\$04\$/);
  t.true(await z.double.checkPassword(id, 'Legacy-pass1'));
});

test('the session API checks passwords: wrong is InvalidArgument, none is FailedPrecondition', async (t) => {
  const username = unique('session');
  await z.users.createUser(humanRequest(z.double.defaultOrgId, username, hashed(await bcryptHash('Legacy-pass1'))));
  const ok = await z.sessions.createSession({ checks: { user: { search: { case: 'loginName', value: username } }, password: { password: 'Legacy-pass1' } } });
  t.truthy(ok.sessionToken);
  const wrong = await rejection(t, z.sessions.createSession({ checks: { user: { search: { case: 'loginName', value: username } }, password: { password: 'nope' } } }));
  t.is(wrong.code, Code.InvalidArgument);
  t.is(errorKey(wrong), 'Errors.User.Password.Invalid');

  const nopass = unique('nopass');
  await z.users.createUser(humanRequest(z.double.defaultOrgId, nopass));
  const none = await rejection(t, z.sessions.createSession({ checks: { user: { search: { case: 'loginName', value: nopass } }, password: { password: 'x' } } }));
  t.is(none.code, Code.FailedPrecondition);
  t.is(errorKey(none), 'Errors.User.Password.NotSet');
});

test('usernames are unique in the instance, case-insensitively', async (t) => {
  const username = unique('Bob');
  await z.users.createUser(humanRequest(z.double.defaultOrgId, username));
  const error = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, username.toLowerCase())));
  t.is(error.code, Code.AlreadyExists);
  t.is(errorKey(error), 'Errors.User.AlreadyExists');
});

test('a custom user id already in use is refused', async (t) => {
  const userId = unique('id');
  await z.users.createUser({ ...humanRequest(z.double.defaultOrgId, unique('first')), userId });
  const error = await rejection(t, z.users.createUser({ ...humanRequest(z.double.defaultOrgId, unique('second')), userId }));
  // ZITADEL: PreconditionFailed "Errors.User.AlreadyExisting" (the write model already exists).
  t.is(error.code, Code.FailedPrecondition);
  t.is(errorKey(error), 'Errors.User.AlreadyExisting');
});

test('given and family name are required, email must look valid', async (t) => {
  const empty = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, unique('nofamily'), { profile: { givenName: 'Ada', familyName: '' } })));
  t.is(empty.code, Code.InvalidArgument);
  const blank = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, unique('blank'), { profile: { givenName: 'Ada', familyName: '  ' } })));
  t.is(blank.code, Code.InvalidArgument);
  t.is(errorKey(blank), 'Errors.User.Profile.LastNameEmpty');
  const email = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, unique('email'), { email: { email: 'not an email' } })));
  t.is(errorKey(email), 'Errors.User.Email.Invalid');
});

test('a hash no enabled verifier claims is refused with Errors.User.Password.NotSupported', async (t) => {
  const md5 = createHash('md5').update('pw').digest('hex');
  const error = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, unique('md5'), hashed(md5))));
  // ZITADEL answers InvalidArgument (USER-JDk4t), not FailedPrecondition.
  t.is(error.code, Code.InvalidArgument);
  t.is(errorKey(error), 'Errors.User.Password.NotSupported');
  t.is(z.double.state.hashRefusals.find((r) => r.hash === md5)?.reason, 'unsupported');
});

test('an enabled verifier (md5plain) claims hex and verifies it', async (t) => {
  const other = await startDouble({ enabledVerifiers: ['md5plain'] });
  t.teardown(() => other.double.close());
  const username = unique('md5plain');
  await other.users.createUser(humanRequest(other.double.defaultOrgId, username, hashed(createHash('md5').update('Legacy-pass1').digest('hex'))));
  t.true(await other.double.checkPassword(username, 'Legacy-pass1'));
});

test('a bcrypt hash outside the import limits (cost 4) is refused', async (t) => {
  const cost4 = await bcryptHash('pw', 4);
  const error = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, unique('cost4'), hashed(cost4))));
  t.is(error.code, Code.InvalidArgument);
  t.is(errorKey(error), 'Errors.User.Password.Invalid');
  t.is(z.double.state.hashRefusals.find((r) => r.hash === cost4)?.reason, 'limits');
});

test('a hash longer than 200 characters is refused', async (t) => {
  const error = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, unique('long'), hashed(`${await bcryptHash('pw')}${'x'.repeat(150)}`))));
  t.is(error.code, Code.InvalidArgument);
  t.regex(error.rawMessage, /HashedPassword\.Hash/);
});

test('ListUsers finds users by user name, email and combinations', async (t) => {
  const username = unique('Carol');
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, username));
  const byName = await z.users.listUsers({ queries: [{ query: { case: 'userNameQuery', value: { userName: username, method: TextQueryMethod.EQUALS } } }] });
  t.deepEqual(byName.result.map((u) => u.userId), [id]);
  t.is(byName.details?.totalResult, 1n);
  const wrongCase = await z.users.listUsers({ queries: [{ query: { case: 'userNameQuery', value: { userName: username.toUpperCase(), method: TextQueryMethod.EQUALS } } }] });
  t.is(wrongCase.result.length, 0);
  const ignoreCase = await z.users.listUsers({ queries: [{ query: { case: 'userNameQuery', value: { userName: username.toUpperCase(), method: TextQueryMethod.EQUALS_IGNORE_CASE } } }] });
  t.is(ignoreCase.result[0]?.userId, id);
  const either = await z.users.listUsers({
    queries: [{ query: { case: 'orQuery', value: { queries: [
      { query: { case: 'emailQuery', value: { emailAddress: `${username}@example.com`, method: TextQueryMethod.EQUALS } } },
      { query: { case: 'loginNameQuery', value: { loginName: 'nobody', method: TextQueryMethod.EQUALS } } },
    ] } } }],
  });
  t.deepEqual(either.result.map((u) => u.userId), [id]);
  const human = either.result[0]?.type;
  t.is(human?.case === 'human' ? human.value.profile?.displayName : undefined, 'Ada Lovelace');
});

test('an IdP link belongs to one user; the IdP must exist', async (t) => {
  const idp = z.double.addGenericOidcIdp();
  const link = { idpId: idp.id, userId: unique('sub'), userName: 'dave' };
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, unique('dave'), { idpLinks: [link] }));
  const again = await rejection(t, z.users.createUser(humanRequest(z.double.defaultOrgId, unique('dave2'), { idpLinks: [link] })));
  t.is(again.code, Code.AlreadyExists);
  t.is(errorKey(again), 'Errors.User.ExternalIDP.AlreadyExists');
  const other = await z.users.createUser(humanRequest(z.double.defaultOrgId, unique('erin')));
  t.is((await rejection(t, z.users.addIDPLink({ userId: other.id, idpLink: link }))).code, Code.AlreadyExists);
  const unknown = await rejection(t, z.users.addIDPLink({ userId: other.id, idpLink: { idpId: '404', userId: 'x', userName: 'x' } }));
  t.is(unknown.code, Code.FailedPrecondition);
  t.deepEqual((await z.users.listIDPLinks({ userId: id })).result.map((l) => l.userId), [link.userId]);
  await z.users.removeIDPLink({ userId: id, idpId: link.idpId, linkedUserId: link.userId });
  await z.users.addIDPLink({ userId: other.id, idpLink: link });
  t.is(z.double.state.linkOwner(link.idpId, link.userId)?.id, other.id);
});

test('calls without the PAT are Unauthenticated', async (t) => {
  const anonymous = createUserServiceClient(createConnectTransport({ baseUrl: z.double.url, httpVersion: '2' }));
  t.is((await rejection(t, anonymous.getUserByID({ userId: '1' }))).code, Code.Unauthenticated);
  const wrong = createUserServiceClient(createServerTransport('not-the-pat', { baseUrl: z.double.url }));
  t.is((await rejection(t, wrong.getUserByID({ userId: '1' }))).code, Code.Unauthenticated);
  t.is((await rejection(t, z.users.getUserByID({ userId: '404' }))).code, Code.NotFound);
});

test('the Connect protocol works too: plain fetch (HTTP/1.1) and createConnectTransport', async (t) => {
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, unique('connect')));
  const response = await fetch(`${z.double.url}/zitadel.user.v2.UserService/GetUserByID`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${z.double.pat}` },
    body: JSON.stringify({ userId: id }),
  });
  t.is(response.status, 200);
  const json = (await response.json()) as { user: { userId: string; state: string } };
  t.is(json.user.userId, id);
  t.is(json.user.state, 'USER_STATE_ACTIVE');
  const connect = createUserServiceClient(createConnectTransport({ baseUrl: z.double.url, httpVersion: '1.1', interceptors: [(next) => (req) => (req.header.set('authorization', `Bearer ${z.double.pat}`), next(req))] }));
  t.is((await connect.getUserByID({ userId: id })).user?.userId, id);
});

test('the deprecated AddHumanUser: organization oneof, username defaults to the email', async (t) => {
  const org = z.double.addOrg({ name: unique('Org') });
  const email = `${unique('frank')}@example.com`;
  const { userId } = await z.users.addHumanUser({
    organization: { org: { case: 'orgDomain', value: org.domain } },
    profile: { givenName: 'Frank', familyName: 'Castle' },
    email: { email, verification: { case: 'returnCode', value: {} } },
    passwordType: { case: 'password', value: { password: 'Str0ng-pass', changeRequired: true } },
  });
  const user = z.double.state.users.get(userId)!;
  t.is(user.orgId, org.id);
  t.is(user.username, email);
  t.true(user.password?.changeRequired);
  t.true(await z.double.checkPassword(email, 'Str0ng-pass'));
  t.is(z.double.state.verificationCodes.find((c) => c.userId === userId)?.delivery, 'return');
  const weak = await rejection(t, z.users.addHumanUser({ profile: { givenName: 'W', familyName: 'K' }, email: { email: `${unique('weak')}@example.com` }, passwordType: { case: 'password', value: { password: 'weak', changeRequired: false } } }));
  t.is(errorKey(weak), 'Errors.User.PasswordComplexityPolicy.MinLength');
});

test('an unverified email records the verification code ZITADEL would send', async (t) => {
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, unique('unverified'), { email: { email: `${unique('u')}@example.com` } }));
  const code = z.double.state.verificationCodes.find((c) => c.userId === id);
  t.is(code?.kind, 'email');
  t.is(code?.delivery, 'send');
  t.false(z.double.state.users.get(id)!.email.verified);
});

test('UpdateUser sets a hash on an existing user, atomically', async (t) => {
  const username = unique('grace');
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, username));
  await z.users.updateUser({ userId: id, userType: { case: 'human', value: { password: { passwordType: { case: 'hashedPassword', value: { hash: await bcryptHash('Legacy-pass1'), changeRequired: false } } } } } });
  t.true(await z.double.checkPassword(id, 'Legacy-pass1'));
  // A refused hash refuses the whole change: the new username is not kept either.
  const error = await rejection(t, z.users.updateUser({ userId: id, username: unique('renamed'), userType: { case: 'human', value: { password: { passwordType: { case: 'hashedPassword', value: { hash: 'plain-text', changeRequired: false } } } } } }));
  t.is(errorKey(error), 'Errors.User.Password.NotSupported');
  t.is(z.double.state.users.get(id)!.username, username);
  await z.users.updateUser({ userId: id, userType: { case: 'human', value: { profile: { familyName: 'King' }, email: { email: `${username}@new.example.com`, verification: { case: 'returnCode', value: {} } } } } });
  const updated = z.double.state.users.get(id)!;
  t.deepEqual([updated.profile.givenName, updated.profile.familyName, updated.email.verified], ['Ada', 'King', false]);
  t.false('$typeName' in updated.profile);
  await z.users.updateHumanUser({ userId: id, password: { passwordType: { case: 'password', value: { password: 'N3w-password', changeRequired: false } }, verification: { case: undefined } } });
  t.true(await z.double.checkPassword(id, 'N3w-password'));
});

test('a password reset records the request; returnCode returns a code SetPassword accepts', async (t) => {
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, unique('heidi')));
  await z.users.passwordReset({ userId: id, medium: { case: 'sendLink', value: { notificationType: 1, urlTemplate: 'https://app/reset?code={{.Code}}' } } });
  t.is(z.double.state.passwordResets.find((r) => r.userId === id)?.medium, 'sendLink');
  const { verificationCode } = await z.users.passwordReset({ userId: id, medium: { case: 'returnCode', value: {} } });
  t.truthy(verificationCode);
  const bad = await rejection(t, z.users.setPassword({ userId: id, newPassword: { password: 'Reset-pass1', changeRequired: false }, verification: { case: 'verificationCode', value: 'WRONG' } }));
  t.is(bad.code, Code.InvalidArgument);
  await z.users.setPassword({ userId: id, newPassword: { password: 'Reset-pass1', changeRequired: false }, verification: { case: 'verificationCode', value: verificationCode! } });
  t.true(await z.double.checkPassword(id, 'Reset-pass1'));
});

test('metadata and deletion', async (t) => {
  const username = unique('ivan');
  const { id } = await z.users.createUser(humanRequest(z.double.defaultOrgId, username, { metadata: [{ key: 'legacy_id', value: new TextEncoder().encode('42') }] }));
  await z.users.setUserMetadata({ userId: id, metadata: [{ key: 'migrated', value: new TextEncoder().encode('yes') }] });
  const list = await z.users.listUserMetadata({ userId: id });
  t.deepEqual(list.metadata.map((m) => [m.key, new TextDecoder().decode(m.value)]).sort(), [['legacy_id', '42'], ['migrated', 'yes']]);
  await z.users.deleteUser({ userId: id });
  t.is((await rejection(t, z.users.getUserByID({ userId: id }))).code, Code.NotFound);
  // The username is free again.
  await t.notThrowsAsync(z.users.createUser(humanRequest(z.double.defaultOrgId, username)));
});
