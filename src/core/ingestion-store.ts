import type { JobLease, JsonObject } from './job.js';
import type { NormalizedContent } from './pipeline.js';
import type { ChangeClassification, PublicationDecisionKind } from './publication-decision.js';

/** What is recorded of every fetched resource. */
interface SnapshotFacts {
  pipeline: string;
  scopeKey: string;
  resourceType: string;
  resourceKey: string;
  method: string;
  url: string;
  status: number;
  /** A 304 whose body is the earlier snapshot's, reused rather than stored again. */
  notModified: boolean;
  /** The body is only what arrived before the fetch was cut off; kept for diagnosis, never parsed. */
  truncated: boolean;
  etag: string | null;
  lastModified: string | null;
  contentType: string | null;
}

export interface SnapshotInput extends SnapshotFacts {
  lease: JobLease;
  body: Uint8Array;
}

export interface SnapshotRecord extends SnapshotFacts {
  id: string;
  jobId: string;
  attemptNumber: number;
  size: number;
  sha256: string;
  fetchedAt: Date;
}

/** What the previous successful snapshot of a resource offers for a conditional request. */
export interface ResourceValidators {
  snapshotId: string;
  sha256: string;
  etag: string | null;
  lastModified: string | null;
  contentType: string | null;
}

/** The outcome of an execution that got as far as normalized content. */
export interface IngestionResultInput {
  scope: JsonObject;
  /** The snapshots parse read, in order: the result's lineage. */
  sourceSnapshotIds: string[];
  sourceSnapshotHash: string;
  normalizedHash: string;
  parserVersion: string;
  normalizerVersion: string;
  payload: NormalizedContent;
  forced: boolean;
  /** The pipeline's describeChange, called against the latest publication's content when publishing. */
  describeChange?: (previous: NormalizedContent | null, next: NormalizedContent) => JsonObject;
}

export interface PublicationRecord {
  id: string;
  jobId: string;
  pipeline: string;
  scopeKey: string;
  scope: JsonObject;
  version: number;
  supersedes: string | null;
  sourceSnapshotHash: string;
  normalizedHash: string;
  envelopeHash: string;
  decision: PublicationDecisionKind;
  reason: string;
  classification: ChangeClassification;
  envelope: JsonObject;
  publishedAt: Date;
}

export interface NormalizedResultRecord {
  jobId: string;
  attemptNumber: number;
  pipeline: string;
  scopeKey: string;
  sourceSnapshotIds: string[];
  sourceSnapshotHash: string;
  normalizedHash: string;
  parserVersion: string;
  normalizerVersion: string;
  payload: NormalizedContent;
  recordCount: number;
  decision: PublicationDecisionKind;
  reason: string;
  classification: ChangeClassification;
}

export interface PublicationPage {
  publications: PublicationRecord[];
  nextCursor: string | null;
}

/** Raw snapshots, normalized results and publications. */
export interface IngestionStore {
  /** Appends a snapshot; its body is stored once per sha256. Kept whatever the attempt's outcome. */
  saveSnapshot(input: SnapshotInput): Promise<SnapshotRecord>;
  /** The latest stored (non-error) snapshot of a resource, for If-None-Match / If-Modified-Since. */
  previousValidators(pipeline: string, resourceType: string, resourceKey: string): Promise<ResourceValidators | null>;
  loadBody(sha256: string): Promise<Uint8Array | null>;
  listSnapshots(jobId: string): Promise<SnapshotRecord[]>;
  getSnapshot(snapshotId: string): Promise<SnapshotRecord | null>;
  /** The snapshots with these ids, in the order given; unknown ids are left out. */
  snapshotsByIds(snapshotIds: string[]): Promise<SnapshotRecord[]>;

  getNormalizedResult(jobId: string): Promise<NormalizedResultRecord | null>;
  latestPublication(pipeline: string, scopeKey: string): Promise<PublicationRecord | null>;
  /** The latest publication of every scope of `pipeline` whose scope has all of `scopeFilter`'s fields. */
  findLatestPublications(pipeline: string, scopeFilter: JsonObject, limit: number): Promise<PublicationRecord[]>;
  getPublication(publicationId: string): Promise<PublicationRecord | null>;
  listPublications(request: { pipeline: string; scopeKey: string; limit: number; cursor?: string }): Promise<PublicationPage>;
}
