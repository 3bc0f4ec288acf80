/**
 * One thing wrong with a snapshot file: where, as a JSON path (`$.records[3].birth_date`, or `$`
 * for the whole file), and what, in words a person fixing the file can act on.
 */
export interface SnapshotProblem {
  path: string;
  message: string;
}
