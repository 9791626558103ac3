import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { ConnectError } from '@connectrpc/connect';
import { createClientFor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { createAdminServiceClient, createManagementServiceClient } from '@zitadel/client/v1';
import { createSessionServiceClient, createUserServiceClient } from '@zitadel/client/v2';
import { ActionService } from '@zitadel/proto/zitadel/action/v2beta/action_service_pb.js';
import type { CreateUserRequestSchema } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import type { ExecutionContext } from 'ava';
import bcrypt from 'bcrypt';
import { errorKey, startZitadelDouble, type ZitadelDouble, type ZitadelDoubleOptions } from '../support/zitadel/index.js';
import { testHashPolicy } from './hash-policy.js';

export const PAT = 'test-pat';

export interface DoubleWithClients {
  readonly double: ZitadelDouble;
  /** Real `@zitadel/client` clients: gRPC over HTTP/2 cleartext, the transport `createServerTransport` builds. */
  readonly users: ReturnType<typeof createUserServiceClient>;
  readonly sessions: ReturnType<typeof createSessionServiceClient>;
  readonly management: ReturnType<typeof createManagementServiceClient>;
  readonly admin: ReturnType<typeof createAdminServiceClient>;
  readonly actions: ReturnType<ReturnType<typeof createClientFor<typeof ActionService>>>;
}

export async function startDouble(options: Partial<ZitadelDoubleOptions> = {}): Promise<DoubleWithClients> {
  const double = await startZitadelDouble({ pat: PAT, hashPolicy: testHashPolicy, ...options });
  const transport = createServerTransport(PAT, { baseUrl: double.url });
  return {
    double,
    users: createUserServiceClient(transport),
    sessions: createSessionServiceClient(transport),
    management: createManagementServiceClient(transport),
    admin: createAdminServiceClient(transport),
    actions: createClientFor(ActionService)(transport),
  };
}

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

// bcrypt hashes are slow to make: one per cost, shared by all tests.
const hashes = new Map<string, Promise<string>>();
export function bcryptHash(password: string, cost = 10, variant: '2a' | '2b' | '2y' = '2b'): Promise<string> {
  const key = `${password}:${cost}:${variant}`;
  if (!hashes.has(key)) hashes.set(key, bcrypt.hash(password, cost).then((hash) => hash.replace(/^\$2[ab]\$/, `$${variant}$`)));
  return hashes.get(key)!;
}

type CreateUser = MessageInitShape<typeof CreateUserRequestSchema>;

/** A CreateUser request for a verified human with the given overrides of `human`. */
export function humanRequest(orgId: string, username: string, human: Record<string, unknown> = {}): CreateUser {
  return {
    organizationId: orgId,
    username,
    userType: {
      case: 'human',
      value: {
        profile: { givenName: 'Ada', familyName: 'Lovelace' },
        email: { email: `${username}@example.com`, verification: { case: 'isVerified', value: true } },
        ...human,
      },
    },
  } as CreateUser;
}

/** The ConnectError a promise rejects with. */
export async function rejection(t: ExecutionContext, promise: Promise<unknown>): Promise<ConnectError> {
  const error = await t.throwsAsync(promise);
  return ConnectError.from(error);
}

export { errorKey };

export interface TargetServer {
  readonly url: string;
  readonly requests: { method: string; headers: IncomingMessage['headers']; rawHeaders: string[]; body: string }[];
  close(): Promise<void>;
}

/** A local HTTP endpoint standing in for an Actions v2 target or a bridge endpoint. */
export async function startTarget(reply: (body: string, headers: IncomingMessage['headers']) => { status?: number; body?: string; delayMs?: number }): Promise<TargetServer> {
  const requests: TargetServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
      const answer = reply(body, req.headers);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
