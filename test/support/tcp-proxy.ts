import net from 'node:net';

/** A TCP proxy in front of a real server, to take it away and bring it back (an outage, for real). */
export class TcpProxy {
  #server: net.Server | undefined;
  // While cut the listener stays open (closing it would free the port for another process before restore()),
  // and connections are reset on arrival instead.
  #cut = false;
  readonly #sockets = new Set<net.Socket>();
  readonly #pairs = new Set<[net.Socket, net.Socket]>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    this.#server = net.createServer((client) => {
      client.on('error', () => {});
      // A reset, not a close: the client fails at once, as on a refused connection.
      if (this.#cut) return void client.resetAndDestroy();
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.#pairs.add(pair);
      client.on('close', () => this.#pairs.delete(pair));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.#server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.#server.address() as net.AddressInfo).port;
  }

  /** Drop every connection and reset new ones as they arrive. */
  async cut(): Promise<void> {
    this.#cut = true;
    for (const socket of this.#sockets) socket.destroy();
  }

  /** Keep every connection open but carry nothing more: a server that stopped answering, or a dead network. */
  stall(): void {
    for (const [client, upstream] of this.#pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Accept connections again, on the same port (it stayed ours throughout). */
  async restore(): Promise<void> {
    this.#cut = false;
  }

  async stop(): Promise<void> {
    await this.cut();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
    this.#server = undefined;
  }
}
