import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { espnDayShift, shiftDates, type EspnDateMode } from './espn-dates.js';

/** Where `npm run replay` listens unless REPLAY_PORT says otherwise; the README's commands use it. */
export const DEFAULT_REPLAY_PORT = 8090;

export const SMOOTHCOMP_TESTDATA = fileURLToPath(new URL('../../testdata/smoothcomp/', import.meta.url));
export const ESPN_TESTDATA = fileURLToPath(new URL('../../testdata/espn/', import.meta.url));

const routeSchema = z.strictObject({
  host: z.string(),
  method: z.enum(['GET', 'POST']),
  path: z.string().startsWith('/'),
  query: z.record(z.string(), z.string()).optional(),
  file: z.string(),
  status: z.int().optional(),
  /** Answer 400 unless the request carries this header (the participants XHR check). */
  requires_header: z.string().optional(),
});

/**
 * An ESPN route: requests come straight to the replay origin (ESPN_BASE_URL points at it), with no
 * X-Forwarded-Host. `files` is a sequence: each request is answered with the next file, the last one
 * repeating, so a scoreboard goes pre -> in -> post as it is polled.
 */
const espnRouteSchema = z.strictObject({
  path: z.string().startsWith('/apis/'),
  query: z.record(z.string(), z.string()).optional(),
  files: z.array(z.string()).min(1),
  /** false: answer without an ETag (and never 304), like a source that ignores validators. */
  etag: z.boolean().default(true),
  note: z.string().optional(),
});

export type ReplayRoute = z.infer<typeof routeSchema> & { root?: string; sequence?: string[]; withoutEtag?: boolean };

const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json' };

/** One request the replay server answered. */
export interface ReplayRequest {
  method: string;
  /** The intended host (X-Forwarded-Host), path and query: `smoothcomp.com/en/event/21001`. */
  target: string;
  status: number;
  /** The fixture served, if any. */
  file: string | undefined;
}

/** `GET smoothcomp.com/en/events/upcoming?countries=US&page=1`: a route as a request that matches it. */
export function describeRoute(route: ReplayRoute): string {
  const query = new URLSearchParams(route.query ?? {}).toString();
  return `${route.method} ${route.host}${route.path}${query === '' ? '' : `?${query}`}`;
}

/**
 * Serves testdata/smoothcomp as if it were Smoothcomp: requests arrive with the intended host in
 * X-Forwarded-Host (SMOOTHCOMP_BASE_URL_OVERRIDE), and are matched on host, method, path and the
 * query parameters a route lists. Bodies carry an ETag and answer 304 to a matching If-None-Match.
 * A request no route matches gets a 404 whose JSON body lists every route, so a guessed id shows
 * at once which ones exist. Tests may replace a route's file while it runs.
 */
export class ReplayServer {
  private server: Server | undefined;
  private readonly routes: ReplayRoute[];
  private readonly overrides = new Map<string, string>();
  /** Requests answered so far per route, for routes that serve a sequence. */
  private readonly servedCount = new Map<string, number>();
  /** Days added to every date in the ESPN files served, fixed for the server's life (see espn-dates.ts). */
  readonly espnDayShift: number;
  origin = '';

  /**
   * `onRequest` hears of every request once it is answered (`npm run replay` prints a line each).
   * `espnDates` says where the ESPN fixtures' games lie relative to today: `future` (every `pre` game
   * starts more than a week ahead), `past` (every game has started) or `as-written`.
   */
  constructor(
    private readonly root = SMOOTHCOMP_TESTDATA,
    private readonly onRequest?: (request: ReplayRequest) => void,
    espnRoot: string | null = ESPN_TESTDATA,
    espnDates: EspnDateMode = 'future',
  ) {
    this.espnDayShift = espnDayShift(espnDates, Date.now());
    this.routes = z.array(routeSchema).parse(JSON.parse(readFileSync(join(root, 'replay-routes.json'), 'utf8')));
    if (espnRoot !== null) {
      const espn = z.array(espnRouteSchema).parse(JSON.parse(readFileSync(join(espnRoot, 'replay-routes.json'), 'utf8')));
      for (const route of espn) {
        const first = route.files[0] ?? '';
        this.routes.push({ host: '', method: 'GET', path: route.path, ...(route.query === undefined ? {} : { query: route.query }), file: first, root: espnRoot, sequence: route.files, withoutEtag: !route.etag });
      }
    }
  }

  async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://replay');
      const forwarded = request.headers['x-forwarded-host'];
      // ESPN's site API paths come without X-Forwarded-Host: ESPN_BASE_URL names this origin itself.
      const intendedHost = (typeof forwarded === 'string' ? forwarded : url.pathname.startsWith('/apis/') ? '' : 'smoothcomp.com').toLowerCase();
      const method = request.method ?? 'GET';
      const route = this.routes.find(
        (r) =>
          r.host === intendedHost &&
          r.method === method &&
          r.path === url.pathname &&
          Object.entries(r.query ?? {}).every(([key, value]) => url.searchParams.get(key) === value),
      );
      request.resume();
      const target = `${intendedHost}${url.pathname}${url.search}`;
      let served: string | undefined = undefined; // set once the fixture is sent
      response.on('finish', () => this.onRequest?.({ method, target, status: response.statusCode, file: served }));
      if (route === undefined) {
        const body = {
          error: `no fixture for ${method} ${target}`,
          matching: 'on the host (X-Forwarded-Host, else smoothcomp.com; none for ESPN /apis/ paths), the method, the path and the query parameters a route lists',
          served: this.served(),
        };
        response.writeHead(404, { 'content-type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
        return;
      }
      if (route.requires_header !== undefined && request.headers[route.requires_header] === undefined) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(`missing ${route.requires_header}`);
        return;
      }
      const file = this.overrides.get(this.key(route)) ?? this.nextInSequence(route) ?? route.file;
      served = file;
      const raw = readFileSync(join(route.root ?? this.root, file));
      const body = route.sequence !== undefined && extname(file) === '.json' ? Buffer.from(shiftDates(raw.toString('utf8'), this.espnDayShift)) : raw;
      const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 20)}"`;
      const status = route.status ?? 200;
      if (route.withoutEtag === true) {
        response.writeHead(status, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
        return;
      }
      if (status === 200 && request.headers['if-none-match'] === etag) {
        response.writeHead(304, { etag }).end();
        return;
      }
      response.writeHead(status, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', etag }).end(body);
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject); // EADDRINUSE and the like, as a rejection rather than a crash
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.origin = `http://${host}:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Every route, as `describeRoute` writes it. */
  served(): string[] {
    return this.routes.map(describeRoute);
  }

  /** Serve `file` instead for the route that serves `originalFile`. */
  replace(originalFile: string, file: string): void {
    const route = this.routes.find((r) => r.file === originalFile);
    if (route === undefined) throw new Error(`no route serves ${originalFile}`);
    this.overrides.set(this.key(route), file);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The file a sequence route serves to this request; each request moves one step, the last repeats. */
  private nextInSequence(route: ReplayRoute): string | undefined {
    if (route.sequence === undefined) return undefined;
    const count = this.servedCount.get(this.key(route)) ?? 0;
    this.servedCount.set(this.key(route), count + 1);
    return route.sequence[Math.min(count, route.sequence.length - 1)];
  }

  private key(route: ReplayRoute): string {
    return `${route.method} ${route.host}${route.path}?${JSON.stringify(route.query ?? {})}`;
  }
}
