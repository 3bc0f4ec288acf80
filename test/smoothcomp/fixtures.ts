import { expect } from 'vitest';
import { JobError } from '../../src/core/job-error.js';
import { readFileSync } from 'node:fs';
import { sha256Hex } from '../../src/core/sha256.js';
import type { FetchedResource } from '../../src/core/pipeline.js';
import { PROJECT_ROOT } from '../support/run-app.js';

export function fixture(path: string): string {
  return readFileSync(`${PROJECT_ROOT}testdata/smoothcomp/${path}`, 'utf8');
}

/** A fixture as a stored response, for the pure parts of a pipeline. */
export function asFetched(path: string, resourceType: string, resourceKey = path, status = 200): FetchedResource {
  const body = new TextEncoder().encode(fixture(path));
  return { snapshotId: '1', resourceType, resourceKey, url: `https://smoothcomp.com/${path}`, status, contentType: 'text/html', sha256: sha256Hex(body), body };
}

/** A parser given anything returns, or throws a classified parse error; nothing else. */
export function expectRecordsOrParseError(parsers: ((input: string) => unknown)[], input: string): void {
  for (const parse of parsers) {
    try {
      parse(input);
    } catch (error) {
      expect(error).toBeInstanceOf(JobError);
      expect((error as JobError).category).toBe('parse');
    }
  }
}
