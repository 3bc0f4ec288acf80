import type { Logger } from 'pino';
import { OutboxPruner } from '../application/outbox-pruner.js';
import type { OutboxRetention } from '../core/outbox.js';
import type { AppConfig } from './config.js';

/** How often a worker removes outbox events past OUTBOX_RETENTION_HOURS. */
const PRUNE_INTERVAL_MS = 10 * 60_000;

/** The outbox retention of a worker process: a pass at start, then every ten minutes. */
export function startOutboxPruner(config: AppConfig, storage: { changes: OutboxRetention }, logger: Logger): { stop: () => Promise<void> } {
  const pruner = new OutboxPruner({ outbox: storage.changes, retentionMs: config.outbox.retentionMs, intervalMs: PRUNE_INTERVAL_MS, logger });
  pruner.start();
  return { stop: () => pruner.stop() };
}
