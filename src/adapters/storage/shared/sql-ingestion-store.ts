import type {
  IngestionStore,
  NormalizedResultRecord,
  PublicationPage,
  PublicationRecord,
  ResourceValidators,
  SnapshotInput,
  SnapshotRecord,
} from '../../../core/ingestion-store.js';
import type { JsonObject } from '../../../core/job.js';
import { isJobId } from './job-cursor.js';
import { insertSnapshot } from './queries/insert-snapshot.js';
import {
  findLatestPublications,
  latestPublication,
  normalizedResultOfJob,
  publicationById,
  publicationHistory,
} from './queries/publication-reads.js';
import { previousValidators, snapshotBody, snapshotById, snapshotsOfJob, snapshotsWithIds } from './queries/snapshot-reads.js';
import type { SqlDatabase } from './sql-database.js';
import type { SqlDialect } from './sql-dialect.js';

/** Snapshots, normalized results and publications on either database. */
export class SqlIngestionStore implements IngestionStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly d: SqlDialect,
  ) {}

  saveSnapshot(input: SnapshotInput): Promise<SnapshotRecord> {
    return this.db.transaction((s) => insertSnapshot(s, this.d, input));
  }

  previousValidators(pipeline: string, resourceType: string, resourceKey: string): Promise<ResourceValidators | null> {
    return this.db.transaction((s) => previousValidators(s, this.d, pipeline, resourceType, resourceKey));
  }

  loadBody(sha256: string): Promise<Uint8Array | null> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) return Promise.resolve(null);
    return this.db.transaction((s) => snapshotBody(s, this.d, sha256));
  }

  listSnapshots(jobId: string): Promise<SnapshotRecord[]> {
    if (!isJobId(jobId)) return Promise.resolve([]);
    return this.db.transaction((s) => snapshotsOfJob(s, this.d, jobId));
  }

  getSnapshot(snapshotId: string): Promise<SnapshotRecord | null> {
    if (!isJobId(snapshotId)) return Promise.resolve(null);
    return this.db.transaction((s) => snapshotById(s, this.d, snapshotId));
  }

  snapshotsByIds(snapshotIds: string[]): Promise<SnapshotRecord[]> {
    const valid = snapshotIds.filter(isJobId);
    return this.db.transaction((s) => snapshotsWithIds(s, this.d, valid));
  }

  getNormalizedResult(jobId: string): Promise<NormalizedResultRecord | null> {
    if (!isJobId(jobId)) return Promise.resolve(null);
    return this.db.transaction((s) => normalizedResultOfJob(s, this.d, jobId));
  }

  latestPublication(pipeline: string, scopeKey: string): Promise<PublicationRecord | null> {
    return this.db.transaction((s) => latestPublication(s, this.d, pipeline, scopeKey));
  }

  findLatestPublications(pipeline: string, scopeFilter: JsonObject, limit: number): Promise<PublicationRecord[]> {
    return this.db.transaction((s) => findLatestPublications(s, this.d, pipeline, scopeFilter, limit));
  }

  getPublication(publicationId: string): Promise<PublicationRecord | null> {
    if (!isJobId(publicationId)) return Promise.resolve(null);
    return this.db.transaction((s) => publicationById(s, this.d, publicationId));
  }

  listPublications(request: { pipeline: string; scopeKey: string; limit: number; cursor?: string }): Promise<PublicationPage> {
    return this.db.transaction((s) => publicationHistory(s, this.d, request));
  }
}
