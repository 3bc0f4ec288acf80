import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EnqueueJob } from '../../../application/enqueue-job.js';
import type { JobRepository } from '../../../core/job-repository.js';
import type { Job, JsonObject } from '../../../core/job.js';
import type { DropLedger, DropOutcome, DropRecord, DropRecordInput, DropVia } from '../../../core/snapshot-drops.js';
import { STATIC_DATASET_PIPELINE } from '../static-dataset-pipeline.js';
import { validateSnapshotDocument, type SnapshotProblem } from '../snapshot/validate-snapshot.js';
import { formatClaimName, newClaimToken, parseClaimName, type ClaimName } from './claim-name.js';
import { dayFolder, describeLocation, type DropFolders } from './drop-folders.js';
import { moveWithoutOverwrite, writeBeside } from './move-file.js';

export interface DropIntakeOptions {
  folders: DropFolders;
  ledger: DropLedger;
  jobs: Pick<JobRepository, 'getJob'>;
  enqueue: Pick<EnqueueJob, 'execute'>;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /**
   * A file in processing that has made no progress for this long (not yet recorded, not yet given
   * its job, or decided but not moved) is taken over by whichever worker sees it: the one that had
   * it stopped. Until then it is left to that worker.
   */
  strandedAfterMs: number;
  now?: () => Date;
}

/** What happened to a file handed in. */
export type SubmitResult =
  | { outcome: 'pending'; drop: DropRecord; job: Job }
  | { outcome: 'duplicate'; drop: DropRecord; job: Job }
  | { outcome: 'invalid'; drop: DropRecord | null; problems: SnapshotProblem[] }
  | { outcome: 'poison'; drop: DropRecord | null; problems: SnapshotProblem[] };

/**
 * How many times a file may be taken up for validation by a worker that then stops before deciding
 * it; the next time it is poison. (Once it has a job, the job's own attempt and interruption budget
 * applies.)
 */
export const MAX_INTAKE_ATTEMPTS = 3;

/** The idempotency key of a snapshot file's job: its content, whatever its name. */
export function dropIdempotencyKey(sha256: string): string {
  return `static-dataset-drop:${sha256}`;
}

/**
 * Takes claimed files (in the processing folder) through one path, whether they came from the
 * incoming folder or the upload route: validate, enqueue one job per content (its SHA-256 is the
 * job's idempotency key, so the same bytes under another name are a duplicate), and, once the job
 * has ended, move the file to the archive or the failed folder. Every decision is recorded in the
 * drop ledger before the move, so a worker that stops between them leaves a file that the next
 * pass of any worker finishes.
 */
export class DropIntake {
  private readonly now: () => Date;

  constructor(private readonly options: DropIntakeOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get folders(): DropFolders {
    return this.options.folders;
  }

  /** Writes uploaded bytes into processing as a claimed file and submits it; the caller validated them. */
  async submitUpload(bytes: Uint8Array, fileName: string): Promise<SubmitResult> {
    const sha256 = sha256Of(bytes);
    const { processing } = this.options.folders;
    await mkdir(processing, { recursive: true });
    const token = newClaimToken(this.now());
    const claimName = formatClaimName({ sha256, token, fileName });
    const staged = join(processing, `.upload-${token}.tmp`);
    await writeFile(staged, bytes, { flag: 'wx' });
    const handle = await open(staged, 'r');
    await handle.sync().finally(() => handle.close());
    await rename(staged, join(processing, claimName));
    return this.submitClaimed(claimName, 'upload', bytes);
  }

  /**
   * Submits a file claimed into processing. Its record, job and duplicate decision are idempotent:
   * submitting the same claimed file again (after a crash) finds the same job.
   */
  async submitClaimed(claimName: string, via: DropVia, known?: Uint8Array): Promise<SubmitResult> {
    const claim = parseClaimName(claimName);
    if (claim === undefined) throw new Error(`${claimName} is not a claim name`);
    const bytes = known ?? new Uint8Array(await readFile(join(this.options.folders.processing, claimName)));
    const sha256 = sha256Of(bytes);
    if (sha256 !== claim.sha256) {
      // Written to after it was hashed: renamed to what it holds now, and submitted as that.
      const renamed = formatClaimName({ ...claim, sha256 });
      await rename(join(this.options.folders.processing, claimName), join(this.options.folders.processing, renamed));
      return this.submitClaimed(renamed, via, bytes);
    }
    const base = { claimName, fileName: claim.fileName, sha256, size: bytes.length, via, location: null };
    // Counted before parsing: a file that stops its worker while being validated is not taken up forever.
    const earlier = await this.options.ledger.getDropByClaim(claimName);
    const intakeAttempts = typeof earlier?.detail.intake_attempts === 'number' ? earlier.detail.intake_attempts : 0;
    if (intakeAttempts >= MAX_INTAKE_ATTEMPTS) {
      const reason = `its worker stopped ${intakeAttempts} times while taking it up, before it could be validated`;
      const drop = await this.decide({ ...base, jobId: null, outcome: 'poison', detail: { reason, intake_attempts: intakeAttempts } });
      if (drop !== null) await this.moveOut(drop, claim);
      return { outcome: 'poison', drop, problems: [{ path: '$', message: reason }] };
    }
    await this.options.ledger.recordDrop({ ...base, jobId: null, outcome: 'pending', detail: { intake_attempts: intakeAttempts + 1 } });
    const validation = validateSnapshotDocument(bytes);
    if (!validation.ok) {
      const drop = await this.decide({ ...base, jobId: null, outcome: 'invalid', detail: { problems: validation.problems as unknown as JsonObject[] } });
      if (drop !== null) await this.moveOut(drop, claim);
      return { outcome: 'invalid', drop, problems: validation.problems };
    }
    const enqueued = await this.options.enqueue.execute({
      pipeline: STATIC_DATASET_PIPELINE,
      scope: { source_name: validation.document.source_name },
      params: { file: claimName },
      idempotencyKey: dropIdempotencyKey(sha256),
      correlationId: `drop-${claim.token}`,
    });
    if (enqueued.kind === 'invalid') {
      const problems = enqueued.problems.map((p) => ({ path: `$.${p.field.replace(/^body\.scope\./, '')}`, message: p.message }));
      const drop = await this.decide({ ...base, jobId: null, outcome: 'invalid', detail: { problems } });
      if (drop !== null) await this.moveOut(drop, claim);
      return { outcome: 'invalid', drop, problems };
    }
    const job = enqueued.job;
    if (enqueued.kind === 'idempotency_conflict') {
      const detail = { duplicate_of_job_id: job.id, duplicate_of_file: typeof job.params.file === 'string' ? job.params.file : null };
      const drop = (await this.decide({ ...base, jobId: job.id, outcome: 'duplicate', detail })) ?? (await this.options.ledger.getDropByClaim(claimName));
      if (drop === null) throw new Error(`the drop ${claimName} has no record`);
      if (drop.outcome === 'duplicate' && drop.location === null) await this.moveOut(drop, claim);
      return { outcome: 'duplicate', drop, job };
    }
    const drop = (await this.decide({ ...base, jobId: job.id, outcome: 'pending', detail: {} })) ?? (await this.options.ledger.getDropByClaim(claimName));
    if (drop === null) throw new Error(`the drop ${claimName} has no record`);
    this.options.logger.info({ file: claim.fileName, sha256, job_id: job.id, via }, 'snapshot file submitted');
    return { outcome: 'pending', drop, job };
  }

  /**
   * Finishes one file in processing: submits it if it has no record yet (its claimer stopped before
   * recording it), moves it on once its job has ended, or finishes a move another worker began and
   * did not complete.
   */
  async settle(claimName: string): Promise<void> {
    const claim = parseClaimName(claimName);
    if (claim === undefined) return;
    const drop = await this.options.ledger.getDropByClaim(claimName);
    const now = this.now().getTime();
    if (drop === null) {
      // Claimed (renamed, which sets ctime) but never recorded: its claimer is at it, or stopped.
      const info = await stat(join(this.options.folders.processing, claimName)).catch(() => undefined);
      if (info !== undefined && now - info.ctimeMs >= this.options.strandedAfterMs) await this.submitClaimed(claimName, 'folder');
      return;
    }
    const stranded = now - drop.updatedAt.getTime() >= this.options.strandedAfterMs;
    if (drop.outcome === 'pending' && drop.jobId === null) {
      if (stranded) await this.submitClaimed(claimName, drop.via);
      return;
    }
    if (drop.outcome !== 'pending') {
      if (drop.location === null && stranded) await this.moveOut(drop, claim);
      return;
    }
    const details = drop.jobId === null ? null : await this.options.jobs.getJob(drop.jobId);
    if (details === null) return;
    const { job } = details;
    const outcome: DropOutcome | undefined =
      job.state === 'succeeded' ? 'imported' : job.state === 'exhausted' ? 'poison' : job.state === 'failed' || job.state === 'cancelled' ? 'failed' : undefined;
    if (outcome === undefined) return;
    const detail: JsonObject = { job_state: job.state, ...(job.failure === null ? {} : { failure: { ...job.failure } }) };
    const decided = await this.decide({ ...drop, outcome, detail });
    if (decided !== null) await this.moveOut(decided, claim);
  }

  private decide(input: DropRecordInput): Promise<DropRecord | null> {
    return this.options.ledger.decideDrop(input);
  }

  /** Moves a decided file where its outcome sends it, writes `.error.json` for a failed one, records where it went. */
  private async moveOut(drop: DropRecord, claim: ClaimName): Promise<void> {
    const { folders, logger } = this.options;
    const day = dayFolder(this.now());
    const toDir =
      drop.outcome === 'imported' ? join(folders.archive, day) : drop.outcome === 'duplicate' ? join(folders.archive, 'duplicates', day) : folders.failed;
    const moved = await moveWithoutOverwrite(join(folders.processing, drop.claimName), toDir, claim.fileName);
    if (moved === undefined || !moved.moved) return;
    if (toDir === folders.failed) {
      const name = moved.path.slice(toDir.length + 1);
      await writeBeside(folders.failed, `${name}.error.json`, `${JSON.stringify(errorReport(drop, name), null, 2)}\n`);
    }
    const location = describeLocation(folders, moved.path);
    await this.options.ledger.recordDrop({ ...drop, location });
    logger.info({ file: drop.fileName, sha256: drop.sha256, outcome: drop.outcome, job_id: drop.jobId, location }, `snapshot file ${drop.outcome}`);
  }
}

/** What `<name>.error.json` says: the file, its content hash, the outcome and every problem with its JSON path. */
export function errorReport(drop: Pick<DropRecordInput, 'fileName' | 'sha256' | 'size' | 'outcome' | 'jobId' | 'detail'>, storedAs: string): JsonObject {
  return {
    file: storedAs,
    dropped_as: drop.fileName,
    sha256: drop.sha256,
    size: drop.size,
    outcome: drop.outcome,
    job_id: drop.jobId,
    ...drop.detail,
  };
}

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
