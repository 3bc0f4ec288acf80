import type { Logger } from 'pino';
import { DropIntake } from '../adapters/static-dataset/drop-folder/drop-intake.js';
import { DropScanner } from '../adapters/static-dataset/drop-folder/drop-scanner.js';
import { IncomingScan } from '../adapters/static-dataset/drop-folder/incoming-scan.js';
import type { Storage } from '../adapters/storage/shared/storage.js';
import { EnqueueJob } from '../application/enqueue-job.js';
import { HandlerRegistry } from '../application/handler-registry.js';
import type { JobHandler } from '../application/job-handler.js';
import type { AppConfig, StaticDatasetConfig } from './config.js';

/** A decided file still in processing this long after its decision was recorded is moved by any worker. */
const STRANDED_AFTER_MS = 60_000;

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
    strandedAfterMs: STRANDED_AFTER_MS,
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
