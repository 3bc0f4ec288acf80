import type { IngestionStore } from '../../../core/ingestion-store.js';
import type { JobRepository } from '../../../core/job-repository.js';
import type { ChangeFeed, OutboxRetention } from '../../../core/outbox.js';
import type { ScheduleRepository } from '../../../core/schedule-repository.js';
import type { DropLedger } from '../../../core/snapshot-drops.js';
import type { WebhookRepository } from '../../../core/webhooks/webhook-repository.js';

/** Both stores over one database handle; closing `jobs` closes the handle. */
export interface Storage {
  jobs: JobRepository;
  ingestion: IngestionStore;
  schedules: ScheduleRepository;
  /** What became of each static snapshot file. */
  drops: DropLedger;
  /** The outbox: read in an order no later commit can break, and kept to its retention. */
  changes: ChangeFeed & OutboxRetention;
  webhooks: WebhookRepository;
}
