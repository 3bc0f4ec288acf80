import type { IngestionStore } from '../../../core/ingestion-store.js';
import type { JobRepository } from '../../../core/job-repository.js';
import type { ScheduleRepository } from '../../../core/schedule-repository.js';
import type { WebhookRepository } from '../../../core/webhooks/webhook-repository.js';

/** Both stores over one database handle; closing `jobs` closes the handle. */
export interface Storage {
  jobs: JobRepository;
  ingestion: IngestionStore;
  schedules: ScheduleRepository;
  webhooks: WebhookRepository;
}
