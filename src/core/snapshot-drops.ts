import type { JsonObject } from './job.js';

/** What became of one dropped (or uploaded) snapshot file. */
export const DROP_OUTCOMES = ['pending', 'imported', 'duplicate', 'invalid', 'refused', 'poison', 'failed'] as const;
export type DropOutcome = (typeof DROP_OUTCOMES)[number];

/** How the file arrived. */
export type DropVia = 'folder' | 'upload';

export interface DropRecordInput {
  /** The name the file was claimed under in the processing folder: unique per file taken. */
  claimName: string;
  /** The name it was dropped (or uploaded) as. */
  fileName: string;
  /** Null only for a refused entry whose bytes were never read (a symlink, a directory). */
  sha256: string | null;
  size: number;
  via: DropVia;
  jobId: string | null;
  outcome: DropOutcome;
  /** Where the file is now, relative to the drop root (`archive/2026-12-01/players.json`); null while processing. */
  location: string | null;
  /** The problems of an invalid file, the reason of a refused one, the failure of a poison one. */
  detail: JsonObject;
}

export interface DropRecord extends DropRecordInput {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface DropFilter {
  jobId?: string;
  sha256?: string;
  limit: number;
}

/** The record of every file the drop folder and the upload route took. */
export interface DropLedger {
  /** Inserts the file's record, or updates it (same claim name) with its latest outcome. */
  recordDrop(input: DropRecordInput): Promise<DropRecord>;
  /**
   * As recordDrop, but an existing record changes only while it is `pending`: of several workers
   * deciding one file's outcome, exactly one gets the record back, the others null.
   */
  decideDrop(input: DropRecordInput): Promise<DropRecord | null>;
  getDropByClaim(claimName: string): Promise<DropRecord | null>;
  getDrop(id: string): Promise<DropRecord | null>;
  /** Newest first. */
  listDrops(filter: DropFilter): Promise<DropRecord[]>;
}
