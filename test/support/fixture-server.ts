import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FixtureRoute = (request: IncomingMessage, response: ServerResponse, hits: number) => void;

/** A real HTTP server on loopback whose answers a test changes as it goes. */
export class FixtureServer {
  private readonly routes = new Map<string, FixtureRoute>();
  private readonly hits = new Map<string, number>();
  readonly requests: { path: string; method: string; headers: IncomingMessage['headers'] }[] = [];
  private server: Server | undefined;
  origin = '';

  /** On 127.0.0.1 and a free port unless told otherwise (127.0.0.2 on the same port is another host). */
  async start(at: { host?: string; port?: number } = {}): Promise<this> {
    const host = at.host ?? '127.0.0.1';
    this.server = createServer((request, response) => {
      const path = request.url ?? '/';
      this.requests.push({ path, method: request.method ?? 'GET', headers: request.headers });
      const route = this.routes.get(path.split('?')[0] ?? path);
      const hits = (this.hits.get(path) ?? 0) + 1;
      this.hits.set(path, hits);
      if (route === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('no fixture here');
        return;
      }
      route(request, response, hits);
    });
    await new Promise<void>((resolve) => this.server?.listen(at.port ?? 0, host, resolve));
    this.origin = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  route(path: string, handler: FixtureRoute): void {
    this.routes.set(path, handler);
  }

  /** JSON with an ETag, answering 304 to a matching If-None-Match. */
  json(path: string, body: unknown): void {
    const text = JSON.stringify(body);
    const etag = `"${Buffer.from(text).toString('base64url').slice(-16)}-${text.length}"`;
    this.route(path, (request, response) => {
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', etag }).end(text);
    });
  }

  requestsTo(path: string): { path: string; method: string; headers: IncomingMessage['headers'] }[] {
    return this.requests.filter((r) => r.path.split('?')[0] === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
