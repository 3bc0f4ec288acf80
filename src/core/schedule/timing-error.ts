/** A field of a schedule's timing, named as the API names it. */
export type TimingField =
  | 'cron'
  | 'time_zone'
  | 'interval_seconds'
  | 'start_at'
  | 'end_at'
  | 'jitter_seconds'
  | 'missed_policy'
  | 'max_catchup';

export interface TimingIssue {
  field: TimingField;
  code: 'INVALID_CRON' | 'CRON_NEVER_OCCURS' | 'UNKNOWN_TIME_ZONE' | 'INVALID_TIMING';
  message: string;
}

/**
 * A schedule's timing that cannot be used, with every problem found (not just the first), each
 * naming its field so the API can answer with one problem document listing them all.
 */
export class ScheduleTimingError extends Error {
  readonly issues: readonly TimingIssue[];

  constructor(issues: readonly TimingIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '));
    this.name = 'ScheduleTimingError';
    this.issues = issues;
  }
}
