import { createServer as createHttp1Server } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import type { ConnectRouter, Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { Code, zitadelError } from './errors.js';

/**
 * The double's API endpoint: HTTP/2 cleartext (h2c) for gRPC, as `@zitadel/client/node`'s transport speaks
 * it, HTTP/1.1 as well for Connect and plain `fetch` clients. Every call needs the configured PAT.
 */

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

// UNVERIFIED ids; the codes are ZITADEL's (Unauthenticated for a missing or unknown token).
function bearerAuth(pat: string): Interceptor {
  return (next) => async (request) => {
    const header = request.header.get('authorization');
    if (!header) throw zitadelError(Code.Unauthenticated, 'AUTH-7fs1e', 'auth header missing');
    if (header !== `Bearer ${pat}`) throw zitadelError(Code.Unauthenticated, 'AUTH-Bs7Ds', 'Errors.Token.Invalid');
    return next(request);
  };
}

export async function serve(routes: (router: ConnectRouter) => void, pat: string): Promise<RunningServer> {
  const handler = connectNodeAdapter({ routes, interceptors: [bearerAuth(pat)] });
  const h2 = createHttp2Server(handler);
  const h1 = createHttp1Server(handler);
  const sockets = new Set<Socket>();
  // One port for both: an HTTP/2 client starts with the connection preface "PRI * HTTP/2.0".
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first.subarray(0, 3).toString('latin1') === 'PRI' ? h2 : h1).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Clients keep connections open; end them so close() does not wait for their idle timeout.
        for (const socket of sockets) socket.destroy();
        h1.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
