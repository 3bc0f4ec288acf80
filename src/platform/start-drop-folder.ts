import type { Logger } from 'pino';
import { DropIntake } from '../adapters/static-dataset/drop-folder/drop-intake.js';
import { DropScanner } from '../adapters/static-dataset/drop-folder/drop-scanner.js';
import { IncomingScan } from '../adapters/static-dataset/drop-folder/incoming-scan.js';
import { validateSnapshotDocument } from '../adapters/static-dataset/snapshot/validate-snapshot.js';
import type { Storage } from '../adapters/storage/shared/storage.js';
import type { SnapshotDropApi } from '../adapters/transport/http/routes/snapshot-drop-routes.js';
import { EnqueueJob } from '../application/enqueue-job.js';
import { HandlerRegistry } from '../application/handler-registry.js';
import type { JobHandler } from '../application/job-handler.js';
import type { AppConfig, StaticDatasetConfig } from './config.js';

/** The intake both the scanner and the upload route hand files to; undefined when the drop folder is off. */
export function createDropIntake(config: AppConfig, storage: Storage, handlers: JobHandler[], logger: Logger): DropIntake | undefined {
  const drop = config.staticDataset;
  if (drop === undefined) return undefined;
  return new DropIntake({
    folders: drop.folders,
    ledger: storage.drops,
    jobs: storage.jobs,
    enqueue: new EnqueueJob(storage.jobs, new HandlerRegistry(handlers), { maxAttempts: config.worker.maxAttempts }),
    logger,
    strandedAfterMs: drop.recoverAfterMs,
  });
}

/** Starts scanning the drop folder when it is configured; the worker runs it beside its job loop. */
export function startDropFolder(config: AppConfig, storage: Storage, handlers: JobHandler[], logger: Logger): { stop(): Promise<void> } {
  const intake = createDropIntake(config, storage, handlers, logger);
  const drop: StaticDatasetConfig | undefined = config.staticDataset;
  if (intake === undefined || drop === undefined) return { stop: () => Promise.resolve() };
  const scanner = new DropScanner({
    scan: new IncomingScan({ intake, ledger: storage.drops, logger, stabilityMs: drop.stabilityMs, maxBytes: drop.maxFileBytes }),
    incomingDir: drop.folders.incoming,
    intervalMs: drop.scanIntervalMs,
    watch: drop.watch,
    logger,
  });
  scanner.start();
  return scanner;
}

/** The API's side of the drop folder: the upload route (when the folder is on) and the drop records. */
export function snapshotDropApi(config: AppConfig, storage: Storage, handlers: JobHandler[], logger: Logger): SnapshotDropApi {
  const intake = createDropIntake(config, storage, handlers, logger);
  return {
    ledger: storage.drops,
    maxBytes: config.staticDataset?.maxFileBytes ?? config.http.bodyLimitBytes,
    upload:
      intake === undefined
        ? undefined
        : async (bytes) => {
            const validation = validateSnapshotDocument(bytes);
            if (!validation.ok) return { kind: 'invalid', problems: validation.problems };
            const { source_name: source, snapshot_date: date } = validation.document;
            const result = await intake.submitUpload(bytes, uploadFileName(source, date));
            if (result.outcome === 'invalid' || result.outcome === 'poison') return { kind: 'invalid', problems: result.problems };
            return { kind: result.outcome === 'pending' ? 'submitted' : 'duplicate', drop: result.drop, job: result.job };
          },
  };
}

/** An uploaded snapshot is archived as `<source_name>-<snapshot_date>.json`, in safe characters. */
function uploadFileName(source: string, date: string): string {
  return `${`${source}-${date}`.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 120) || 'snapshot'}.json`;
}
