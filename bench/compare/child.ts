import { setTimeout as sleep } from 'node:timers/promises';
import type { ChildMessage, ChildSpec, LatencyMode, ParentMessage } from './protocol.js';
import { loadSubject, type QueueProducer } from './subject.js';

/**
 * A worker process of the comparison: connects one queue's worker, says `ready`, starts on `start`,
 * stops gracefully on `stop` and reports how many jobs its handlers saw and its peak RSS. Only the
 * queue under test is loaded, so the RSS is that queue's (plus Node and the TypeScript loader).
 */
const spec = JSON.parse(process.argv[2] ?? '') as ChildSpec;

const inbox: ParentMessage['type'][] = [];
let delivered: (() => void) | undefined;
process.on('message', (message: ParentMessage) => {
  inbox.push(message.type);
  delivered?.();
});

async function received(type: ParentMessage['type']): Promise<void> {
  for (;;) {
    const index = inbox.indexOf(type);
    if (index !== -1) {
      inbox.splice(index, 1);
      return;
    }
    await new Promise<void>((resolve) => (delivered = resolve));
  }
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) reject(new Error('child.ts runs only as a child process with an IPC channel'));
    else process.send(message, undefined, {}, (error) => (error === null ? resolve() : reject(error)));
  });
}

async function measureLatency(mode: LatencyMode, producer: QueueProducer, startedAt: Map<number, number>): Promise<ChildMessage> {
  await sleep(mode.idleMs);
  const enqueuedAt: number[] = [];
  const first = performance.now();
  for (let seq = 0; seq < mode.samples; seq++) {
    const wait = first + (seq * 1000) / mode.ratePerSec - performance.now();
    if (wait > 0) await sleep(wait);
    enqueuedAt[seq] = performance.now();
    await producer.enqueueOne(seq);
  }
  const deadline = performance.now() + mode.settleTimeoutMs;
  while (startedAt.size < mode.samples && performance.now() < deadline) await sleep(10);
  const latenciesMs: number[] = [];
  for (let seq = 0; seq < mode.samples; seq++) {
    const started = startedAt.get(seq);
    const enqueued = enqueuedAt[seq];
    if (started !== undefined && enqueued !== undefined) latenciesMs.push(started - enqueued);
  }
  return { type: 'measured', latenciesMs, missing: mode.samples - latenciesMs.length };
}

/** Reports the peak RSS of a process that loaded no queue: Node.js and the TypeScript loader. */
async function idleProcess(): Promise<void> {
  await send({ type: 'ready' });
  await received('stop');
  await send({ type: 'stopped', handled: 0, maxRssKb: process.resourceUsage().maxRSS, cpuMs: 0 });
}

try {
  if (spec.queue === null) {
    await idleProcess();
    process.exit(0);
  }
  const subject = await loadSubject(spec.queue);
  let handled = 0;
  const startedAt = new Map<number, number>();
  const mode = spec.mode;
  const onJobStart =
    mode.kind === 'latency'
      ? (seq: number) => {
          handled++;
          if (!startedAt.has(seq)) startedAt.set(seq, performance.now());
        }
      : () => {
          handled++;
        };
  const producer = mode.kind === 'latency' ? await subject.openProducer(spec.dsn, 2) : undefined;
  const worker = await subject.prepareWorker({ dsn: spec.dsn, config: spec.config, concurrency: spec.concurrency, onJobStart });
  await send({ type: 'ready' });
  await received('start');
  const cpuAtStart = process.cpuUsage();
  await worker.start();
  if (mode.kind === 'latency' && producer !== undefined) await send(await measureLatency(mode, producer, startedAt));
  await received('stop');
  const cpu = process.cpuUsage(cpuAtStart);
  await worker.stop();
  await producer?.close();
  await send({ type: 'stopped', handled, maxRssKb: process.resourceUsage().maxRSS, cpuMs: (cpu.user + cpu.system) / 1000 });
  process.exit(0);
} catch (error) {
  await send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => undefined);
  process.exit(1);
}
