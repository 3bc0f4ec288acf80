import { InvalidCursorError } from '../../../core/job-repository.js';

const JOB_ID = /^[1-9][0-9]{0,18}$/;

export function encodeJobCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ before: lastId })).toString('base64url');
}

export function decodeJobCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null && 'before' in parsed) {
      const before = parsed.before;
      if (typeof before === 'string' && isJobId(before)) return before;
    }
  } catch {
    // fall through to the error below
  }
  throw new InvalidCursorError();
}

/** Job ids are positive integers; anything else can name no job. */
export function isJobId(value: string): boolean {
  return JOB_ID.test(value) && BigInt(value) <= 9223372036854775807n;
}
