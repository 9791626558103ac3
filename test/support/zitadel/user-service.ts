import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { DetailsSchema } from '@zitadel/proto/zitadel/object/v2/object_pb.js';
import { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { orgOf, type Core } from './core.js';
import { Code, requireText, validationError, zitadelError } from './errors.js';
import type { StoredUser } from './state.js';
import { matchesQuery, sortUsers, textMatches, toUserMessage } from './user-queries.js';

/** `zitadel.user.v2.UserService`: the subset the bridge uses, with ZITADEL's rules (see users.ts). */

type Impl = Partial<ServiceImpl<typeof UserService>>;

function details(user: StoredUser, changedAt = user.changedAt) {
  return create(DetailsSchema, {
    sequence: user.sequence,
    changeDate: timestampFromDate(changedAt),
    resourceOwner: user.orgId,
    creationDate: timestampFromDate(user.createdAt),
  });
}

export function userService(core: Core): Impl {
  const { state, users } = core;

  /** ZITADEL pushes a change's events together: work on a copy, keep it only when every rule passed. */
  async function change<T>(userId: string, apply: (draft: StoredUser) => Promise<T> | T): Promise<{ user: StoredUser; result: T }> {
    const draft = structuredClone(state.requireUser(userId));
    const result = await apply(draft);
    users.touch(draft);
    state.users.set(userId, draft);
    return { user: draft, result };
  }

  return {
    async createUser(req) {
      requireText(req.organizationId, 'CreateUserRequest.OrganizationId');
      if (req.userType.case !== 'human') throw new ConnectError('the double simulates human users only', Code.Unimplemented);
      const human = req.userType.value;
      const created = await users.create({
        orgId: req.organizationId,
        userId: req.userId,
        username: req.username,
        profile: human.profile,
        email: human.email,
        phone: human.phone,
        password: human.passwordType,
        idpLinks: human.idpLinks,
        metadata: human.metadata,
      });
      return { id: created.user.id, creationDate: timestampFromDate(created.user.createdAt), emailCode: created.emailCode, phoneCode: created.phoneCode };
    },

    async addHumanUser(req, ctx) {
      const org = req.organization?.org;
      let orgId: string;
      if (org?.case === 'orgDomain') {
        const found = state.orgByDomain(org.value);
        if (!found) throw zitadelError(Code.NotFound, 'ORG-iTTn0', 'Errors.Org.NotFound');
        orgId = found.id;
      } else {
        orgId = orgOf(core, ctx, org?.case === 'orgId' ? org.value : undefined);
      }
      const created = await users.create({
        orgId,
        userId: req.userId,
        username: req.username,
        profile: req.profile,
        email: req.email,
        phone: req.phone,
        password: req.passwordType,
        idpLinks: req.idpLinks,
        metadata: req.metadata,
      });
      return { userId: created.user.id, details: details(created.user), emailCode: created.emailCode, phoneCode: created.phoneCode };
    },

    getUserByID(req) {
      const user = state.requireUser(req.userId);
      return { details: details(user), user: toUserMessage(user) };
    },

    listUsers(req) {
      const matching = [...state.users.values()].filter((user) => req.queries.every((query) => matchesQuery(user, query)));
      const offset = Number(req.query?.offset ?? 0n);
      const limit = req.query?.limit || matching.length;
      const page = sortUsers(matching, req.sortingColumn, req.query?.asc ?? false).slice(offset, offset + limit);
      return {
        details: { totalResult: BigInt(matching.length), timestamp: timestampFromDate(new Date()) },
        sortingColumn: req.sortingColumn,
        result: page.map(toUserMessage),
      };
    },

    async updateUser(req) {
      let emailCode: string | undefined;
      let phoneCode: string | undefined;
      const { user } = await change(req.userId, async (draft) => {
        if (req.username !== undefined) users.changeUsername(draft, req.username);
        if (req.userType.case === 'machine') throw new ConnectError('the double simulates human users only', Code.Unimplemented);
        const human = req.userType.value;
        if (!human) return;
        if (human.profile) users.changeProfile(draft, human.profile);
        if (human.email) emailCode = users.changeEmail(draft, human.email);
        if (human.phone) phoneCode = users.changePhone(draft, human.phone);
        if (human.password) await users.setPassword(draft, human.password);
      });
      return { changeDate: timestampFromDate(user.changedAt), emailCode, phoneCode };
    },

    async updateHumanUser(req) {
      let emailCode: string | undefined;
      let phoneCode: string | undefined;
      const { user } = await change(req.userId, async (draft) => {
        if (req.username !== undefined) users.changeUsername(draft, req.username);
        if (req.profile) {
          requireText(req.profile.givenName, 'SetHumanProfile.GivenName');
          requireText(req.profile.familyName, 'SetHumanProfile.FamilyName');
          users.changeProfile(draft, req.profile);
        }
        if (req.email) emailCode = users.changeEmail(draft, req.email);
        if (req.phone) phoneCode = users.changePhone(draft, req.phone);
        if (req.password) await users.setPassword(draft, req.password);
      });
      return { details: details(user), emailCode, phoneCode };
    },

    async setPassword(req) {
      if (!req.newPassword) throw validationError('SetPasswordRequest.NewPassword', 'value is required');
      const newPassword = req.newPassword;
      const { user } = await change(req.userId, (draft) => users.setPassword(draft, { passwordType: { case: 'password', value: newPassword }, verification: req.verification }));
      return { details: details(user) };
    },

    passwordReset(req) {
      const user = state.requireUser(req.userId);
      const returned = req.medium.case === 'returnCode';
      const urlTemplate = req.medium.case === 'sendLink' ? req.medium.value.urlTemplate : undefined;
      const code = users.requestPasswordReset(user, returned ? 'returnCode' : 'sendLink', urlTemplate);
      return { details: details(user), verificationCode: returned ? code : undefined };
    },

    async addIDPLink(req) {
      if (!req.idpLink) throw validationError('AddIDPLinkRequest.IdpLink', 'value is required');
      const link = req.idpLink;
      const { user } = await change(req.userId, (draft) => users.addLink(draft, link));
      return { details: details(user) };
    },

    listIDPLinks(req) {
      const user = state.requireUser(req.userId);
      return {
        details: { totalResult: BigInt(user.idpLinks.length), timestamp: timestampFromDate(new Date()) },
        result: user.idpLinks.map((link) => ({ ...link })),
      };
    },

    async removeIDPLink(req) {
      const { user } = await change(req.userId, (draft) => users.removeLink(draft, req.idpId, req.linkedUserId));
      return { details: details(user) };
    },

    async setUserMetadata(req) {
      const { user } = await change(req.userId, (draft) => {
        const now = new Date();
        for (const entry of req.metadata) {
          if (entry.key.trim() === '') throw zitadelError(Code.InvalidArgument, 'META-2ml2I', 'Errors.Metadata.Invalid');
          if (entry.value.length === 0) throw zitadelError(Code.InvalidArgument, 'META-2ml2I', 'Errors.Metadata.Invalid');
          const existing = draft.metadata.get(entry.key);
          draft.metadata.set(entry.key, { value: entry.value, createdAt: existing?.createdAt ?? now, changedAt: now });
        }
      });
      return { setDate: timestampFromDate(user.changedAt) };
    },

    listUserMetadata(req) {
      const user = state.requireUser(req.userId);
      const entries = [...user.metadata.entries()].filter(([key]) =>
        req.filters.every((filter) => filter.filter.case !== 'keyFilter' || textMatches(key, filter.filter.value.key, filter.filter.value.method as number)),
      );
      return {
        pagination: { totalResult: BigInt(entries.length), appliedLimit: BigInt(entries.length) },
        metadata: entries.map(([key, entry]) => ({ key, value: entry.value, creationDate: timestampFromDate(entry.createdAt), changeDate: timestampFromDate(entry.changedAt) })),
      };
    },

    async deleteUserMetadata(req) {
      const { user } = await change(req.userId, (draft) => {
        for (const key of req.keys) {
          if (!draft.metadata.delete(key)) throw zitadelError(Code.NotFound, 'META-ixu5k', 'Errors.Metadata.NotFound');
        }
      });
      return { deletionDate: timestampFromDate(user.changedAt) };
    },

    deleteUser(req) {
      const user = state.requireUser(req.userId);
      // Removing the user releases its unique username and IdP links.
      state.users.delete(user.id);
      for (const [id, session] of state.sessions) if (session.userId === user.id) state.sessions.delete(id);
      return { details: details(user, new Date()) };
    },
  };
}
