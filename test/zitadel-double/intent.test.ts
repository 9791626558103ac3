import { fromJson, type JsonObject } from '@bufbuild/protobuf';
import { durationFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { RetrieveIdentityProviderIntentResponseSchema } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import test, { type ExecutionContext } from 'ava';
import { RETRIEVE_INTENT_METHOD, SIGNATURE_HEADER, verifySignatureHeader, type IntentInput } from '../support/zitadel/index.js';
import { bcryptHash, errorKey, rejection, startDouble, startTarget, unique, type DoubleWithClients, type TargetServer } from './fixtures.js';

// The ZITADEL side of a brokered login with Actions v2 (login v2, RetrieveIdentityProviderIntent).

interface Envelope {
  fullMethod: string;
  instanceID: string;
  orgID?: string;
  userID?: string;
  request: JsonObject;
  response: JsonObject & { addHumanUser?: JsonObject; userId?: string };
}

interface Hooked {
  readonly z: DoubleWithClients;
  readonly target: TargetServer;
  readonly signingKey: string;
  readonly idpId: string;
}

/** A double with the bridge's hook as a restCall target on RetrieveIdentityProviderIntent's response. */
async function hooked(t: ExecutionContext, reply: (envelope: Envelope) => { status?: number; body?: string; delayMs?: number }, target: { interruptOnError?: boolean; timeoutMs?: number } = {}): Promise<Hooked> {
  const z = await startDouble();
  const server = await startTarget((body) => reply(JSON.parse(body) as Envelope));
  t.teardown(async () => {
    await server.close();
    await z.double.close();
  });
  const { id, signingKey } = await z.actions.createTarget({
    name: 'bridge',
    endpoint: server.url,
    timeout: durationFromMs(target.timeoutMs ?? 5_000),
    targetType: { case: 'restCall', value: { interruptOnError: target.interruptOnError ?? true } },
  });
  await z.actions.setExecution({ condition: { conditionType: { case: 'response', value: { condition: { case: 'method', value: RETRIEVE_INTENT_METHOD } } } }, targets: [id] });
  return { z, target: server, signingKey, idpId: z.double.addGenericOidcIdp().id };
}

function login(idpId: string, claims: JsonObject = {}): IntentInput {
  const sub = unique('sub');
  const username = unique('legacy');
  return {
    idpId,
    idpUserId: sub,
    idpUserName: username,
    rawInformation: { sub, given_name: 'Ada', family_name: 'Lovelace', name: 'Ada L.', email: `${username}@example.com`, email_verified: true, preferred_username: username, locale: 'de', ...claims },
    accessToken: 'access-token-from-the-bridge',
    idToken: 'id-token-from-the-bridge',
  };
}

test('an empty reply leaves the response unchanged: the user is created from addHumanUser, without password', async (t) => {
  const h = await hooked(t, () => ({ body: '' }));
  const input = login(h.idpId);
  const outcome = await h.z.double.retrieveIdentityProviderIntent(input);
  t.true(outcome.created);
  t.false(outcome.linkedBefore);
  const user = h.z.double.state.users.get(outcome.userId)!;
  t.is(user.username, input.idpUserName);
  t.is(user.profile.displayName, 'Ada L.');
  t.is(user.profile.preferredLanguage, 'de');
  t.true(user.email.verified);
  t.is(user.password, undefined);
  t.deepEqual(user.idpLinks, [{ idpId: h.idpId, userId: input.idpUserId, userName: input.idpUserName }]);

  // The envelope and its signature, as the bridge's hook receives them.
  const [request] = h.target.requests;
  t.is(verifySignatureHeader(request!.body, request!.headers[SIGNATURE_HEADER.toLowerCase()] as string, h.signingKey).ok, true);
  t.is(verifySignatureHeader(request!.body, request!.headers[SIGNATURE_HEADER.toLowerCase()] as string, 'other key').ok, false);
  const envelope = JSON.parse(request!.body) as Envelope;
  t.is(envelope.fullMethod, RETRIEVE_INTENT_METHOD);
  t.is(envelope.instanceID, h.z.double.instanceId);
  t.is(envelope.userID, h.z.double.loginClientUserId);
  t.truthy(envelope.request.idpIntentId);
  t.like(envelope.response, {
    idpInformation: { idpId: h.idpId, userId: input.idpUserId, userName: input.idpUserName, oauth: { accessToken: input.accessToken, idToken: input.idToken }, rawInformation: { email_verified: true } },
    addHumanUser: { username: input.idpUserName, email: { isVerified: true }, idpLinks: [{ idpId: h.idpId, userId: input.idpUserId, userName: input.idpUserName }] },
  });
  t.is(typeof (envelope.response.details as JsonObject).sequence, 'string', 'int64 as a string');
  t.is(envelope.response.userId, undefined, 'empty fields are omitted, as protojson does');
});

test('a reply adding addHumanUser.hashedPassword creates the user with the legacy hash', async (t) => {
  const hash = await bcryptHash('Legacy-pass1');
  const h = await hooked(t, (envelope) => {
    const response = envelope.response;
    if (response.addHumanUser) response.addHumanUser.hashedPassword = { hash, changeRequired: false };
    return { body: JSON.stringify(response) };
  });
  const input = login(h.idpId);
  const first = await h.z.double.retrieveIdentityProviderIntent(input);
  t.true(first.created);
  t.is(first.response.addHumanUser?.passwordType.case, 'hashedPassword');
  t.true(await h.z.double.checkPassword(input.idpUserName, 'Legacy-pass1'));

  // The next login finds the link: userId set, no addHumanUser, nothing created.
  const second = await h.z.double.retrieveIdentityProviderIntent(input);
  t.deepEqual([second.created, second.linkedBefore, second.userId], [false, true, first.userId]);
  const envelope = JSON.parse(h.target.requests[1]!.body) as Envelope;
  t.is(envelope.response.userId, first.userId);
  t.is(envelope.response.addHumanUser, undefined);
});

test('a reply with an unknown field fails the strict parse', async (t) => {
  const h = await hooked(t, (envelope) => ({ body: JSON.stringify({ ...envelope.response, userAction: { createUser: {} } }) }));
  const error = await rejection(t, h.z.double.retrieveIdentityProviderIntent(login(h.idpId)));
  t.is(error.code, Code.Unknown);
  t.is(h.z.double.state.users.size, 0);
  // The schema itself refuses it, as a ZITADEL of this version would.
  t.throws(() => fromJson(RetrieveIdentityProviderIntentResponseSchema, { userAction: {} }));
});

test('without interruptOnError a failing target is skipped and the response stays as it was', async (t) => {
  const h = await hooked(t, () => ({ body: '{"unknownField":1}' }), { interruptOnError: false });
  const outcome = await h.z.double.retrieveIdentityProviderIntent(login(h.idpId));
  t.true(outcome.created);
});

test('forwardedStatusCode 403 fails the call with PermissionDenied and the target\'s message', async (t) => {
  const h = await hooked(t, () => ({ body: JSON.stringify({ forwardedStatusCode: 403, forwardedErrorMessage: 'not a fresh bridge login' }) }));
  const error = await rejection(t, h.z.double.retrieveIdentityProviderIntent(login(h.idpId)));
  t.is(error.code, Code.PermissionDenied);
  t.is(errorKey(error), 'not a fresh bridge login');
  t.is(h.z.double.state.users.size, 0);
});

test('a non-2xx reply or a timeout fails the call', async (t) => {
  const failing = await hooked(t, () => ({ status: 500, body: 'boom' }));
  const error = await rejection(t, failing.z.double.retrieveIdentityProviderIntent(login(failing.idpId)));
  t.is(error.code, Code.FailedPrecondition);
  t.is(errorKey(error), 'Errors.Execution.Failed');
  const slow = await hooked(t, () => ({ delayMs: 1_000 }), { timeoutMs: 100 });
  t.is((await rejection(t, slow.z.double.retrieveIdentityProviderIntent(login(slow.idpId)))).code, Code.Unknown);
});

test('a hash in the reply is still subject to the import limits', async (t) => {
  const cost4 = await bcryptHash('Legacy-pass1', 4);
  const h = await hooked(t, (envelope) => ({ body: JSON.stringify({ ...envelope.response, addHumanUser: { ...envelope.response.addHumanUser, hashedPassword: { hash: cost4 } } }) }));
  const error = await rejection(t, h.z.double.retrieveIdentityProviderIntent(login(h.idpId)));
  t.is(error.code, Code.InvalidArgument);
  t.is(errorKey(error), 'Errors.User.Password.Invalid');
});

test('ZITADEL maps the claims: no preferred_username means the email is the username, no locale is "und"', async (t) => {
  const h = await hooked(t, () => ({}));
  const input = login(h.idpId, { email_verified: false });
  const { preferred_username: _username, locale: _locale, ...claims } = input.rawInformation;
  const outcome = await h.z.double.retrieveIdentityProviderIntent({ ...input, rawInformation: claims });
  const user = h.z.double.state.users.get(outcome.userId)!;
  t.is(user.username, claims.email as string);
  t.is(user.idpLinks[0]?.userName, '', 'the link takes preferred_username, here absent');
  t.is(user.profile.preferredLanguage, 'und');
  t.false(user.email.verified);
  t.is(h.z.double.state.verificationCodes.find((code) => code.userId === user.id)?.delivery, 'send');
});

test('without auto-creation nothing is created', async (t) => {
  const h = await hooked(t, () => ({}));
  const outcome = await h.z.double.retrieveIdentityProviderIntent({ ...login(h.idpId), autoCreation: false });
  t.deepEqual([outcome.created, outcome.userId], [false, '']);
  t.truthy(outcome.response.addHumanUser);
});
