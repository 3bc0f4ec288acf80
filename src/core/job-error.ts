import { DatabaseUnavailableError } from './database-unavailable.js';
import type { FailureCategory, JobFailure } from './job.js';
import { storableText } from './storable-values.js';

/** Whether a failure of each category is worth another attempt when the thrower does not say. */
const RETRYABLE_BY_DEFAULT: Record<FailureCategory, boolean> = {
  network: true,
  timeout: true,
  http_status: false,
  blocked: true,
  parse: false,
  validation: false,
  lease_lost: true,
  cancelled: false,
  database: true,
  internal: true,
};

/**
 * The error a pipeline throws to fail a job in a way the queue understands. Anything else a
 * handler throws is recorded as an `internal` failure, except the storage adapters'
 * DatabaseUnavailableError, which is a `database` failure.
 */
export class JobError extends Error {
  readonly category: FailureCategory;
  readonly code: string;
  readonly retryable: boolean;
  /** The source asked us to wait at least this long (Retry-After), or the category calls for it. */
  readonly retryAfterMs: number | undefined;

  constructor(
    category: FailureCategory,
    code: string,
    message: string,
    options?: { retryable?: boolean; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JobError';
    this.category = category;
    this.code = code;
    this.retryable = options?.retryable ?? RETRYABLE_BY_DEFAULT[category];
    this.retryAfterMs = options?.retryAfterMs;
  }

  toFailure(): JobFailure {
    return { category: this.category, code: this.code, message: this.message, retryable: this.retryable };
  }
}

const MAX_MESSAGE_LENGTH = 2000;

/**
 * The failure as it can be stored: a message may quote what the job met (V8 quotes the page it could
 * not parse as JSON, NUL bytes included), and a row PostgreSQL refuses would be a settle that never lands.
 */
export function storableFailure(failure: JobFailure): JobFailure {
  return { ...failure, code: storableText(failure.code), message: truncate(storableText(failure.message)) };
}

/** Turns anything a handler threw into the failure recorded on the job and its attempt. */
export function failureFromError(error: unknown): JobFailure {
  if (error instanceof JobError) return { ...error.toFailure(), message: truncate(error.message) };
  if (error instanceof DatabaseUnavailableError) {
    return {
      category: 'database',
      code: error.permanent ? 'DATABASE_REJECTED' : 'DATABASE_UNAVAILABLE',
      message: truncate(`the job database failed while the job ran; it will run again, uncharged: ${error.message}`),
      retryable: true,
    };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `non-error thrown: ${String(error)}`;
  return { category: 'internal', code: 'UNHANDLED_ERROR', message: truncate(message), retryable: true };
}

function truncate(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}
