import { Code, ConnectError } from '@connectrpc/connect';
import { createServerTransport } from '@zitadel/client/node';
import { requireUsablePat } from './pat.js';
import { createUserServiceClient } from '@zitadel/client/v2';
import { TextQueryMethod } from '@zitadel/proto/zitadel/object/v2/object_pb.js';

/** The profile a ZITADEL user is created with. */
export interface NewUser {
  /** Our `sub`: the legacy id, linked to the bridge's IdP. */
  readonly legacyId: string;
  readonly username: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly displayName?: string | undefined;
  readonly preferredLanguage?: string | undefined;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly phone?: string | undefined;
  readonly phoneVerified?: boolean | undefined;
  readonly nickName?: string | undefined;
  /** A hash in a format ZITADEL imports; undefined creates the user without a password. */
  readonly hash?: string | undefined;
  readonly metadata: ReadonlyArray<{ key: string; value: string }>;
}

export interface ZitadelUserSummary {
  readonly userId: string;
  readonly username: string;
}

export interface ZitadelUserFacts {
  /** A password in ZITADEL (imported, set by the user, or after a reset link). */
  readonly hasPassword: boolean;
  readonly email: string | undefined;
  readonly emailVerified: boolean;
}

/** What the bridge asks of ZITADEL's user API; small, so the provisioning logic reads clearly. */
export interface ZitadelApi {
  createUser(user: NewUser): Promise<string>;
  findUserByUsername(username: string): Promise<ZitadelUserSummary | undefined>;
  /** The `sub` of the user's link to the bridge's IdP (the legacy id), if it has one. */
  linkOf(userId: string): Promise<string | undefined>;
  addLink(userId: string, legacyId: string, userName: string): Promise<void>;
  /** What the bridge checks of an existing ZITADEL user before it sets a password or adds a link. */
  userFacts(userId: string): Promise<ZitadelUserFacts>;
  setPasswordHash(userId: string, hash: string): Promise<void>;
  sendPasswordReset(userId: string): Promise<void>;
}

export interface ZitadelApiOptions {
  readonly url: string;
  readonly pat: string;
  readonly organizationId: string;
  readonly idpId: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** A call to ZITADEL failed; `retryable` when trying again later may help (unreachable, overloaded). */
export class ZitadelApiError extends Error {
  readonly code = 'ZITADEL_API';
  constructor(
    message: string,
    readonly grpcCode: Code,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const TRANSIENT = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted, Code.Unknown]);

/** ZITADEL has no such user (deleted since the bridge noted its id). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ZitadelApiError && error.grpcCode === Code.NotFound;
}

export function isAlreadyExists(error: unknown): boolean {
  return error instanceof ZitadelApiError && (error.grpcCode === Code.AlreadyExists || /AlreadyExist/i.test(error.message));
}

/** Failures after which the request may well have been carried out: repeating it is safe only if it is idempotent. */
const AMBIGUOUS = new Set([Code.DeadlineExceeded, Code.Unknown, Code.Aborted]);

/**
 * Bounded retries with a short backoff for transient failures; everything else fails at once. A request that
 * is not idempotent (a reset mail) is not repeated after an answer that leaves open whether it was done.
 * Errors carry ZITADEL's code and message, never the request (it may hold a hash).
 */
async function call<T>(what: string, retries: number, work: () => Promise<T>, idempotent = true): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      const connect = ConnectError.from(error);
      const retryable = TRANSIENT.has(connect.code) && (idempotent || !AMBIGUOUS.has(connect.code));
      if (!retryable || attempt >= retries) throw new ZitadelApiError(`ZITADEL ${what}: ${Code[connect.code]} ${connect.rawMessage}`, connect.code, retryable);
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** ZITADEL's user API v2 over gRPC, authenticated with the service user's PAT. */
export function createZitadelApi(options: ZitadelApiOptions): ZitadelApi {
  const users = createUserServiceClient(createServerTransport(requireUsablePat(options.pat), { baseUrl: options.url }));
  const callOptions = { timeoutMs: options.timeoutMs };
  const retry = <T>(what: string, work: () => Promise<T>, idempotent = true) => call(what, options.retries, work, idempotent);

  return {
    async createUser(user) {
      const response = await retry('CreateUser', () =>
        users.createUser(
          {
            organizationId: options.organizationId,
            username: user.username,
            userType: {
              case: 'human',
              value: {
                profile: {
                  givenName: user.givenName,
                  familyName: user.familyName,
                  ...(user.displayName ? { displayName: user.displayName } : {}),
                  ...(user.preferredLanguage ? { preferredLanguage: user.preferredLanguage } : {}),
                  ...(user.nickName ? { nickName: user.nickName } : {}),
                },
                email: { email: user.email, verification: user.emailVerified ? { case: 'isVerified', value: true } : { case: 'sendCode', value: {} } },
                // Unverified: ZITADEL's default (it sends a code); verified in the legacy system: kept so.
                ...(user.phone ? { phone: { phone: user.phone, ...(user.phoneVerified ? { verification: { case: 'isVerified', value: true } } : {}) } } : {}),
                ...(user.hash ? { passwordType: { case: 'hashedPassword', value: { hash: user.hash, changeRequired: false } } } : {}),
                idpLinks: [{ idpId: options.idpId, userId: user.legacyId, userName: user.username }],
                metadata: user.metadata.map(({ key, value }) => ({ key, value: Buffer.from(value, 'utf8') })),
              },
            },
          },
          callOptions,
        ),
      );
      return response.id;
    },

    async findUserByUsername(username) {
      const response = await retry('ListUsers', () =>
        users.listUsers(
          {
            // Only the bridge's organization: a namesake elsewhere in the instance is someone else, never to be linked.
            queries: [
              { query: { case: 'userNameQuery', value: { userName: username, method: TextQueryMethod.EQUALS_IGNORE_CASE } } },
              { query: { case: 'organizationIdQuery', value: { organizationId: options.organizationId } } },
            ],
          },
          callOptions,
        ),
      );
      const found = response.result[0];
      return found ? { userId: found.userId, username: found.username } : undefined;
    },

    async linkOf(userId) {
      const response = await retry('ListIDPLinks', () => users.listIDPLinks({ userId }, callOptions));
      return response.result.find((link) => link.idpId === options.idpId)?.userId || undefined;
    },

    async addLink(userId, legacyId, userName) {
      await retry('AddIDPLink', () => users.addIDPLink({ userId, idpLink: { idpId: options.idpId, userId: legacyId, userName } }, callOptions));
    },

    async userFacts(userId) {
      const response = await retry('GetUserByID', () => users.getUserByID({ userId }, callOptions));
      const type = response.user?.type;
      if (type?.case !== 'human') return { hasPassword: false, email: undefined, emailVerified: false };
      return {
        // ZITADEL reports when the password last changed; a user who never had one has no such time.
        hasPassword: Number(type.value.passwordChanged?.seconds ?? 0n) > 0,
        email: type.value.email?.email || undefined,
        emailVerified: type.value.email?.isVerified ?? false,
      };
    },

    async setPasswordHash(userId, hash) {
      await retry('UpdateUser', () =>
        users.updateUser(
          { userId, userType: { case: 'human', value: { password: { passwordType: { case: 'hashedPassword', value: { hash, changeRequired: false } } } } } },
          callOptions,
        ),
      );
    },

    async sendPasswordReset(userId) {
      await retry('PasswordReset', () => users.passwordReset({ userId, medium: { case: 'sendLink', value: {} } }, callOptions), false);
    },
  };
}
