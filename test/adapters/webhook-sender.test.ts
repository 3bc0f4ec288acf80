import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedAddressReason } from '../../src/adapters/delivery/target-address-policy.js';
import { UndiciWebhookSender } from '../../src/adapters/delivery/undici-webhook-sender.js';

describe('webhook target addresses', () => {
  it('refuses loopback, private, link-local, CGNAT, metadata and IPv4-mapped forms of them', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.10.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:169.254.169.254',
      '64:ff9b::10.0.0.1',
      '[::1]',
    ]) {
      expect(refusedAddressReason(address), address).toBeDefined();
    }
  });

  it('lets public addresses through', () => {
    for (const address of ['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) expect(refusedAddressReason(address), address).toBeUndefined();
  });
});

describe('the webhook sender', () => {
  let server: Server;
  let port = 0;
  let hits = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits++;
      if (request.url === '/silent') return; // never answers
      if (request.url === '/big') {
        response.writeHead(200);
        response.end('x'.repeat(200_000));
        return;
      }
      response.writeHead(302, { location: '/elsewhere' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const send = (sender: UndiciWebhookSender, url: string) => sender.send({ url, headers: {}, body: '{}', signal: new AbortController().signal });

  it('refuses a loopback target, by literal or by a name resolving to one, before connecting', async () => {
    const sender = new UndiciWebhookSender({ userAgent: 'test', connectTimeoutMs: 5_000, timeoutMs: 10_000, allowPrivateTargets: false });
    const before = hits;
    expect(await send(sender, `http://127.0.0.1:${port}/hook`)).toMatchObject({ kind: 'no_answer', reason: 'refused_target' });
    expect(await send(sender, `http://[::ffff:127.0.0.1]:${port}/hook`)).toMatchObject({ kind: 'no_answer', reason: 'refused_target' });
    expect(await send(sender, `http://localhost:${port}/hook`)).toMatchObject({ kind: 'no_answer', reason: 'refused_target' });
    expect(hits).toBe(before);
    await sender.close();
  });

  it('does not follow a redirect, and keeps only the first bytes of a large answer', async () => {
    const sender = new UndiciWebhookSender({ userAgent: 'test', connectTimeoutMs: 5_000, timeoutMs: 10_000, allowPrivateTargets: true });
    const before = hits;
    expect(await send(sender, `http://127.0.0.1:${port}/hook`)).toMatchObject({ kind: 'answered', status: 302 });
    expect(hits).toBe(before + 1);
    const big = await send(sender, `http://127.0.0.1:${port}/big`);
    expect(big).toMatchObject({ kind: 'answered', status: 200 });
    expect(big.kind === 'answered' ? big.excerpt.length : 0).toBe(4_096);
    await sender.close();
  });

  it('gives up on a receiver that never answers, as a timeout', async () => {
    const sender = new UndiciWebhookSender({ userAgent: 'test', connectTimeoutMs: 200, timeoutMs: 300, allowPrivateTargets: true });
    expect(await send(sender, `http://127.0.0.1:${port}/silent`)).toMatchObject({ kind: 'no_answer', reason: 'timeout' });
    await sender.close();
  });
});
