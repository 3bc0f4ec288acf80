import { DatabaseUnavailableError } from '../core/database-unavailable.js';
import type { CompleteJobInput, JobRepository, SettleResult } from '../core/job-repository.js';
import type { JobLease } from '../core/job.js';

const MAX_COMPLETION_BATCH = 500;
const MAX_FLUSHES_IN_FLIGHT = 2;

interface PendingCompletion {
  lease: JobLease;
  input: CompleteJobInput;
  resolve: (result: SettleResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Settles successes without a normalized result or follow-ups together (JobSettler settles those
 * alone, in a transaction of their own): those finishing in the same turn of the event loop (and
 * while up to two earlier batches are in flight) share one statement and one commit. Each is still fenced on its own lease. A batch the database could not take for an outage
 * rejects every member, so each caller retries its own settle; one rejected for another reason (a
 * member the database refuses) is settled again member by member, so that one bad member does not
 * take its whole batch down with it.
 */
export class CompletionBatcher {
  private readonly pending: PendingCompletion[] = [];
  private flushScheduled = false;
  private flushesInFlight = 0;

  constructor(private readonly repository: Pick<JobRepository, 'completeJobs'>) {}

  complete(lease: JobLease, input: CompleteJobInput): Promise<SettleResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ lease, input, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushesInFlight >= MAX_FLUSHES_IN_FLIGHT || this.pending.length === 0) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.pending.splice(0, MAX_COMPLETION_BATCH);
      if (batch.length === 0) return;
      this.flushesInFlight++;
      void this.flush(batch).finally(() => {
        this.flushesInFlight--;
        this.scheduleFlush();
      });
    });
  }

  private async flush(batch: PendingCompletion[]): Promise<void> {
    let results: SettleResult[];
    try {
      results = await this.repository.completeJobs(batch.map(({ lease, input }) => ({ lease, input })));
    } catch (error) {
      const outage = error instanceof DatabaseUnavailableError && !error.permanent;
      if (outage || batch.length === 1) {
        batch.forEach((item) => item.reject(error));
        return;
      }
      await Promise.all(batch.map((item) => this.flush([item])));
      return;
    }
    batch.forEach((item, index) => item.resolve(results[index] ?? { applied: false, reason: 'lease_lost' }));
  }
}
