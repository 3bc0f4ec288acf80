import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Receipt {
  id: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** What the receiver answered. */
  status: number;
  /** Whether the signature verified with the receiver's secret (standardwebhooks). */
  verified: boolean;
  path: string;
}

/** A webhook consumer on loopback: verifies each request with `standardwebhooks` and answers as told. */
export class WebhookReceiver {
  readonly receipts: Receipt[] = [];
  /** The status each request gets; `verified` requests only count as delivered when it is 2xx. */
  answer: (receipt: Omit<Receipt, 'status'>) => { status: number; headers?: Record<string, string> } = () => ({ status: 200 });
  private server: Server | undefined;
  private port = 0;

  constructor(private secrets: string[]) {}

  setSecrets(secrets: string[]): void {
    this.secrets = secrets;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = request.headers;
        const verified = this.secrets.some((secret) => {
          try {
            new Webhook(secret).verify(body, headers as Record<string, string>);
            return true;
          } catch {
            return false;
          }
        });
        const seen = { id: String(headers['webhook-id']), body, headers, verified, path: request.url ?? '' };
        const answer = this.answer(seen);
        this.receipts.push({ ...seen, status: answer.status });
        response.writeHead(answer.status, answer.headers ?? {}).end('{"received":true}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Requests answered 2xx with a verified signature, in the order they arrived. */
  delivered(): Receipt[] {
    return this.receipts.filter((r) => r.verified && r.status >= 200 && r.status < 300);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server === undefined ? resolve() : this.server.close(() => resolve())));
  }
}
