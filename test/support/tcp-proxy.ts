import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of a real server (PostgreSQL in the fault tests), so a test can take the
 * database away and bring it back: `cut()` resets every open connection and refuses new ones,
 * `restore()` accepts them again on the same port.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  /** Listens on a free loopback port; `down: true` starts it refusing connections. */
  static async start(target: { host: string; port: number }, options: { down?: boolean } = {}): Promise<TcpProxy> {
    const probe = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port));
    });
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const proxy = new TcpProxy(target, port);
    if (options.down !== true) await proxy.restore();
    return proxy;
  }

  /** A proxy in front of the server a postgres:// URL names. */
  static inFrontOf(url: string, options: { down?: boolean } = {}): Promise<TcpProxy> {
    const target = new URL(url);
    return TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) }, options);
  }

  /** A copy of `url` (a postgres:// URL) that goes through this proxy. */
  rewrite(url: string): string {
    const rewritten = new URL(url);
    rewritten.hostname = '127.0.0.1';
    rewritten.port = String(this.port);
    return rewritten.toString();
  }

  get isUp(): boolean {
    return this.server !== undefined;
  }

  async restore(): Promise<void> {
    if (this.server !== undefined) return;
    const server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** The outage: open connections are reset and new ones refused until `restore()`. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.cut();
  }

  private relay(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const drop = () => {
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
