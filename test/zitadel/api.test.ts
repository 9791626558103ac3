import test, { type ExecutionContext } from 'ava';
import bcrypt from 'bcrypt';
import type { LegacyUser } from '../../src/legacy/directory.js';
import { createZitadelApi } from '../../src/zitadel/api.js';
import { Provisioner, UsernameTakenError } from '../../src/zitadel/provision.js';
import { startZitadelDouble } from '../support/zitadel/index.js';
import { Users } from '../support/zitadel/users.js';
import { testHashPolicy } from '../zitadel-double/hash-policy.js';


/** A ZITADEL double with the bridge's IdP, the API on it, and a provisioner (`usernameTaken` as given). */
async function provisioning(t: ExecutionContext, usernameTaken: 'link' | 'refuse') {
  const double = await startZitadelDouble({ pat: 'pat', hashPolicy: testHashPolicy });
  t.teardown(() => double.close());
  const idp = double.addGenericOidcIdp({ name: 'legacy bridge' });
  const api = createZitadelApi({ url: double.url, pat: 'pat', organizationId: double.defaultOrgId, idpId: idp.id, timeoutMs: 5000, retries: 0 });
  const provisioner = new Provisioner(api, { usernameTaken, legacyIdMetadataKey: 'legacy_id', fallbacks: { givenNameFallback: 'Given', familyNameFallback: 'Family' } });
  return { double, api, provisioner };
}

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

// Serial: it replaces a method every double in this file shares, and busy-waits the whole process.
test.serial('a reset mail whose answer came too late is not sent again: it may well have gone out', async (t) => {
  const double = await startZitadelDouble({ pat: 'pat', hashPolicy: testHashPolicy });
  t.teardown(() => double.close());
  const idp = double.addGenericOidcIdp({ name: 'legacy bridge' });
  const options = { url: double.url, pat: 'pat', organizationId: double.defaultOrgId, idpId: idp.id, retries: 2 };
  const userId = await createZitadelApi({ ...options, timeoutMs: 5000 }).createUser({ legacyId: '7', username: 'slow', givenName: 'S', familyName: 'L', email: 'slow@example.com', emailVerified: true, metadata: [] });
  // ZITADEL queues the mail, then answers after the client has given up.
  const queue = Users.prototype.requestPasswordReset;
  Users.prototype.requestPasswordReset = function (this: Users, ...args: Parameters<Users['requestPasswordReset']>) {
    const result = queue.apply(this, args);
    // Well past the client's deadline, which starts before the double gets the request.
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      // Busy: the double answers late.
    }
    return result;
  };
  t.teardown(() => {
    Users.prototype.requestPasswordReset = queue;
  });
  await t.throwsAsync(createZitadelApi({ ...options, timeoutMs: 1000 }).sendPasswordReset(userId), { message: /DeadlineExceeded/ });
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.is(double.state.passwordResets.filter((reset) => reset.userId === userId).length, 1);
});

test('link mode never links a ZITADEL user that already belongs to another legacy user, nor replaces its password', async (t) => {
  const { double, provisioner } = await provisioning(t, 'link');
  const legacy = (id: string, username: string, email: string): LegacyUser => ({
    id,
    credential: null,
    disabled: false,
    profile: { preferredUsername: username, email, givenName: `G${id}`, familyName: 'F' },
  });
  const alice = await provisioner.provision(legacy('1', 'alice', 'alice@example.com'), await bcrypt.hash('Alice-Passw0rd!', 10));
  // 'Alice' is another row in a case-sensitive legacy table; ZITADEL's usernames ignore case.
  await t.throwsAsync(provisioner.provision(legacy('2', 'Alice', 'other@example.com'), await bcrypt.hash('Other-Passw0rd!', 10)), { instanceOf: UsernameTakenError });
  t.deepEqual(double.state.users.get(alice.zitadelUserId)!.idpLinks.map((link) => link.userId), ['1']);
  t.true(await double.checkPassword('alice', 'Alice-Passw0rd!'));
  t.false(await double.checkPassword('alice', 'Other-Passw0rd!'));
});

test('provisioning keeps a phone the legacy system verified verified, and the nickname', async (t) => {
  const { double, provisioner } = await provisioning(t, 'refuse');
  const profile = { email: 'pia@example.com', emailVerified: true, givenName: 'Pia', familyName: 'Phone', nickname: 'pp' };
  const verified = await provisioner.provision({ id: '1', credential: null, disabled: false, profile: { ...profile, preferredUsername: 'pia', phoneNumber: '+41790000001', phoneNumberVerified: true } }, undefined);
  const unverified = await provisioner.provision({ id: '2', credential: null, disabled: false, profile: { ...profile, preferredUsername: 'pio', phoneNumber: '+41790000002', phoneNumberVerified: false } }, undefined);
  t.deepEqual(double.state.users.get(verified.zitadelUserId)!.phone, { number: '+41790000001', verified: true });
  t.is(double.state.users.get(verified.zitadelUserId)!.profile.nickName, 'pp');
  t.deepEqual(double.state.users.get(unverified.zitadelUserId)!.phone, { number: '+41790000002', verified: false });
  const texted = double.state.verificationCodes.filter((code) => code.kind === 'phone').map((code) => code.userId);
  t.deepEqual(texted, [unverified.zitadelUserId], 'a code only for the number nobody verified');
});

test('a user ZITADEL refuses to create, yet cannot find by name, is reported with what most likely holds the link', async (t) => {
  const { provisioner } = await provisioning(t, 'link');
  const legacy = (email: string): LegacyUser => ({ id: '42', credential: null, disabled: false, profile: { email, givenName: 'Ren', familyName: 'Amed' } });
  await provisioner.provision(legacy('old@example.com'), undefined);
  // The legacy email (ZITADEL's username) changed since; the link to legacy id 42 is ZITADEL's already.
  const error = await t.throwsAsync(provisioner.provision(legacy('new@example.com'), undefined), { instanceOf: UsernameTakenError });
  t.regex(error!.message, /linked to legacy id 42 under another username/);
});

test('link mode links a namesake only when both sides verified the same email; any other namesake keeps its account', async (t) => {
  const { double, api, provisioner } = await provisioning(t, 'link');
  // People who signed up in ZITADEL itself, with their own passwords.
  const native = async (username: string, email: string) => {
    const id = await api.createUser({ legacyId: 'unused', username, givenName: 'N', familyName: 'Ative', email, emailVerified: true, metadata: [] });
    double.state.users.get(id)!.idpLinks.length = 0;
    await api.setPasswordHash(id, await bcrypt.hash(`${username}-zitadel`, 10));
    return id;
  };
  const zoe = await native('zoe', 'zoe@example.com');
  const max = await native('max', 'max@other.example');
  const una = await native('una', 'una@example.com');
  const legacy = (id: string, username: string, email: string, emailVerified: boolean): LegacyUser => ({
    id,
    credential: null,
    disabled: false,
    profile: { preferredUsername: username, email, emailVerified, givenName: 'L', familyName: 'Egacy' },
  });

  const linked = await provisioner.provision(legacy('1', 'zoe', 'Zoe@Example.com', true), await bcrypt.hash('zoe-legacy', 10));
  t.deepEqual(linked, { zitadelUserId: zoe, how: 'linked' });
  t.true(await double.checkPassword('zoe', 'zoe-legacy'));

  await t.throwsAsync(provisioner.provision(legacy('2', 'max', 'max@example.com', true), await bcrypt.hash('max-legacy', 10)), { instanceOf: UsernameTakenError, message: /same verified email/ });
  await t.throwsAsync(provisioner.provision(legacy('3', 'una', 'una@example.com', false), await bcrypt.hash('una-legacy', 10)), { instanceOf: UsernameTakenError });
  for (const [username, id] of [['max', max], ['una', una]] as const) {
    t.deepEqual(double.state.users.get(id)!.idpLinks, [], `${username} got no link`);
    t.true(await double.checkPassword(username, `${username}-zitadel`), `${username} keeps the password`);
  }
});
