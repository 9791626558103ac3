import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { DetailsSchema } from '@zitadel/proto/zitadel/object/v2/object_pb.js';
import { SessionService } from '@zitadel/proto/zitadel/session/v2/session_service_pb.js';
import type { Core } from './core.js';
import { Code, zitadelError } from './errors.js';
import { newId } from './ids.js';
import { loginNamesOf, type StoredSession, type StoredUser } from './state.js';

/**
 * ZITADEL's password check (command.checkPassword, as the session API and the login run it): no stored
 * hash is FailedPrecondition `Errors.User.Password.NotSet`, a mismatch InvalidArgument
 * `Errors.User.Password.Invalid`; a match of an imported hash re-hashes it with ZITADEL's own hasher.
 */
export async function checkUserPassword(core: Core, user: StoredUser, password: string): Promise<void> {
  if (!user.password) throw zitadelError(Code.FailedPrecondition, 'COMMAND-WEf3t', 'Errors.User.Password.NotSet');
  const kept = await core.passwords.verify(user.password, password);
  if (!kept) {
    user.passwordChecks.failed++;
    throw zitadelError(Code.InvalidArgument, 'COMMAND-3M0fs', 'Errors.User.Password.Invalid');
  }
  user.passwordChecks.succeeded++;
  user.password = kept;
}

export function findUser(core: Core, userIdOrLoginName: string): StoredUser {
  const user = core.state.users.get(userIdOrLoginName) ?? core.state.userByLoginName(userIdOrLoginName);
  if (!user) throw zitadelError(Code.NotFound, 'QUERY-Dfbg2', 'Errors.User.NotFound');
  return user;
}

function sessionMessage(core: Core, session: StoredSession) {
  const user = core.state.users.get(session.userId);
  return {
    id: session.id,
    creationDate: timestampFromDate(session.createdAt),
    changeDate: timestampFromDate(session.factors.password ?? session.createdAt),
    factors: {
      user: session.factors.user && user
        ? { verifiedAt: timestampFromDate(session.factors.user), id: user.id, loginName: loginNamesOf(user)[0], displayName: user.profile.displayName, organizationId: user.orgId }
        : undefined,
      password: session.factors.password ? { verifiedAt: timestampFromDate(session.factors.password) } : undefined,
    },
  };
}

export function sessionService(core: Core): Partial<ServiceImpl<typeof SessionService>> {
  return {
    async createSession(req) {
      const checks = req.checks;
      const search = checks?.user?.search;
      let user: StoredUser | undefined;
      if (search?.case === 'userId') user = core.state.requireUser(search.value);
      if (search?.case === 'loginName') user = findUser(core, search.value);
      const now = new Date();
      const factors: StoredSession['factors'] = user ? { user: now } : {};
      if (checks?.password) {
        if (!user) throw zitadelError(Code.FailedPrecondition, 'COMMAND-Sfw3f', 'Errors.User.UserIDMissing');
        await checkUserPassword(core, user, checks.password.password);
        factors.password = new Date();
      }
      const session: StoredSession = { id: newId(), token: randomBytes(24).toString('base64url'), userId: user?.id ?? '', createdAt: now, factors };
      core.state.sessions.set(session.id, session);
      return {
        details: create(DetailsSchema, { sequence: core.state.nextSequence(), changeDate: timestampFromDate(now), resourceOwner: core.instanceId }),
        sessionId: session.id,
        sessionToken: session.token,
      };
    },

    getSession(req) {
      const session = core.state.sessions.get(req.sessionId);
      if (!session) throw zitadelError(Code.NotFound, 'QUERY-SFeaa', 'Errors.Session.NotExisting');
      return { session: sessionMessage(core, session) };
    },
  };
}
