import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { DetailsSchema, TextQueryMethod } from '@zitadel/proto/zitadel/object/v2/object_pb.js';
import { Type, UserFieldName, type SearchQuery } from '@zitadel/proto/zitadel/user/v2/query_pb.js';
import { UserSchema, UserState, type User } from '@zitadel/proto/zitadel/user/v2/user_pb.js';
import { Code, zitadelError } from './errors.js';
import { loginNamesOf, type StoredUser } from './state.js';

/** How ZITADEL's v2 user queries read the stored users (ListUsers) and how a user looks on the wire. */

export function toUserMessage(user: StoredUser): User {
  const loginNames = loginNamesOf(user);
  return create(UserSchema, {
    userId: user.id,
    details: create(DetailsSchema, {
      sequence: user.sequence,
      creationDate: timestampFromDate(user.createdAt),
      changeDate: timestampFromDate(user.changedAt),
      resourceOwner: user.orgId,
    }),
    state: UserState.ACTIVE,
    username: user.username,
    loginNames,
    preferredLoginName: loginNames[0] ?? user.username,
    type: {
      case: 'human',
      value: {
        userId: user.id,
        state: UserState.ACTIVE,
        username: user.username,
        loginNames,
        preferredLoginName: loginNames[0] ?? user.username,
        profile: { ...user.profile, avatarUrl: '' },
        email: { email: user.email.address, isVerified: user.email.verified },
        ...(user.phone ? { phone: { phone: user.phone.number, isVerified: user.phone.verified } } : {}),
        passwordChangeRequired: user.password?.changeRequired ?? false,
        ...(user.password ? { passwordChanged: timestampFromDate(user.password.changedAt) } : {}),
      },
    },
  });
}

export function textMatches(actual: string, wanted: string, method: TextQueryMethod): boolean {
  const folded = [TextQueryMethod.EQUALS_IGNORE_CASE, TextQueryMethod.STARTS_WITH_IGNORE_CASE, TextQueryMethod.CONTAINS_IGNORE_CASE, TextQueryMethod.ENDS_WITH_IGNORE_CASE].includes(method);
  const a = folded ? actual.toLowerCase() : actual;
  const w = folded ? wanted.toLowerCase() : wanted;
  switch (method) {
    case TextQueryMethod.EQUALS:
    case TextQueryMethod.EQUALS_IGNORE_CASE:
      return a === w;
    case TextQueryMethod.STARTS_WITH:
    case TextQueryMethod.STARTS_WITH_IGNORE_CASE:
      return a.startsWith(w);
    case TextQueryMethod.CONTAINS:
    case TextQueryMethod.CONTAINS_IGNORE_CASE:
      return a.includes(w);
    case TextQueryMethod.ENDS_WITH:
    case TextQueryMethod.ENDS_WITH_IGNORE_CASE:
      return a.endsWith(w);
  }
}

export function matchesQuery(user: StoredUser, query: SearchQuery): boolean {
  const q = query.query;
  switch (q.case) {
    case 'userNameQuery':
      return textMatches(user.username, q.value.userName, q.value.method);
    case 'emailQuery':
      return textMatches(user.email.address, q.value.emailAddress, q.value.method);
    case 'loginNameQuery':
      return loginNamesOf(user).some((name) => textMatches(name, q.value.loginName, q.value.method));
    case 'firstNameQuery':
      return textMatches(user.profile.givenName, q.value.firstName, q.value.method);
    case 'lastNameQuery':
      return textMatches(user.profile.familyName, q.value.lastName, q.value.method);
    case 'nickNameQuery':
      return textMatches(user.profile.nickName, q.value.nickName, q.value.method);
    case 'displayNameQuery':
      return textMatches(user.profile.displayName, q.value.displayName, q.value.method);
    case 'phoneQuery':
      return textMatches(user.phone?.number ?? '', q.value.number, q.value.method);
    case 'inUserIdsQuery':
      return q.value.userIds.includes(user.id);
    case 'inUserEmailsQuery':
      return q.value.userEmails.includes(user.email.address);
    case 'organizationIdQuery':
      return user.orgId === q.value.organizationId;
    case 'typeQuery':
      return q.value.type === Type.HUMAN;
    case 'stateQuery':
      return q.value.state === UserState.ACTIVE;
    case 'andQuery':
      return q.value.queries.every((inner) => matchesQuery(user, inner));
    case 'orQuery':
      return q.value.queries.some((inner) => matchesQuery(user, inner));
    case 'notQuery':
      return q.value.query ? !matchesQuery(user, q.value.query) : true;
    case undefined:
      throw zitadelError(Code.InvalidArgument, 'USERv2-vR9nC', 'List.Query.Invalid');
  }
}

export function sortUsers(users: StoredUser[], column: UserFieldName, asc: boolean): StoredUser[] {
  const key = (user: StoredUser): string | number => {
    switch (column) {
      case UserFieldName.USER_NAME:
        return user.username;
      case UserFieldName.FIRST_NAME:
        return user.profile.givenName;
      case UserFieldName.LAST_NAME:
        return user.profile.familyName;
      case UserFieldName.DISPLAY_NAME:
        return user.profile.displayName;
      case UserFieldName.EMAIL:
        return user.email.address;
      default:
        return user.createdAt.getTime();
    }
  };
  const sorted = [...users].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  // Without a sorting column the order is the creation order, whatever `asc` says.
  return asc || column === UserFieldName.UNSPECIFIED ? sorted : sorted.reverse();
}
