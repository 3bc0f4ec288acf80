import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { JobError } from '../../../core/job-error.js';
import type { FetchRequest, FetchResponse, ResourceFetcher } from '../../../core/resource-fetcher.js';
import { claimNameOfUrl, parseClaimName } from './claim-name.js';

/**
 * Reads `drop:<claim name>` from the processing folder: a source that is read, not fetched. Only a
 * regular file with a claim name directly in that folder can be read (the drop fetcher's allowlist),
 * up to `maxBytes`, and only if its bytes still hash to the SHA-256 in its name.
 */
export class DropFileFetcher implements ResourceFetcher {
  constructor(private readonly options: { processingDir: string; maxBytes: number }) {}

  async fetch(request: FetchRequest, signal: AbortSignal): Promise<FetchResponse> {
    signal.throwIfAborted();
    const name = claimNameOfUrl(request.url);
    const claim = name === undefined ? undefined : parseClaimName(name);
    if (name === undefined || claim === undefined || request.method !== 'GET') {
      throw new JobError('validation', 'DROP_URL_INVALID', `${request.url} does not name a claimed file in the processing folder`, { retryable: false });
    }
    let body: Buffer;
    try {
      // O_NOFOLLOW: a symlink put in place of the claimed file is refused, not followed.
      const handle = await open(join(this.options.processingDir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) throw new JobError('validation', 'DROP_FILE_NOT_REGULAR', `${claim.fileName} is not a regular file`, { retryable: false });
        if (stat.size > this.options.maxBytes) {
          throw new JobError('validation', 'DROP_FILE_TOO_LARGE', `${claim.fileName} is ${stat.size} bytes, over the ${this.options.maxBytes}-byte cap`, { retryable: false });
        }
        body = await handle.readFile({ signal });
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof JobError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new JobError('validation', 'DROP_FILE_NOT_REGULAR', `${claim.fileName} is a symlink`, { retryable: false });
      if (code === 'ENOENT') {
        throw new JobError('validation', 'DROP_FILE_MISSING', `${claim.fileName} is no longer in the processing folder`, { retryable: false });
      }
      throw new JobError('internal', 'DROP_FILE_UNREADABLE', `${claim.fileName} could not be read (${code ?? 'error'})`, { cause: error });
    }
    const sha256 = createHash('sha256').update(body).digest('hex');
    if (sha256 !== claim.sha256) {
      throw new JobError('validation', 'DROP_FILE_CHANGED', `${claim.fileName} no longer has the content it was claimed with`, { retryable: false });
    }
    return { status: 200, finalUrl: request.url, headers: { 'content-type': 'application/json' }, body: new Uint8Array(body) };
  }
}

/**
 * Sends `drop:` URLs to the drop fetcher (when the drop folder is configured) and everything else to
 * the HTTP client; the HTTP client never sees a drop URL, nor the drop fetcher an http one.
 */
export class SchemeRoutingFetcher implements ResourceFetcher {
  constructor(
    private readonly http: ResourceFetcher & { close(): Promise<void> },
    private readonly drop: ResourceFetcher | undefined,
  ) {}

  fetch(...args: Parameters<ResourceFetcher['fetch']>): Promise<FetchResponse> {
    const [request] = args;
    if (request.url.startsWith('drop:')) {
      if (this.drop === undefined) {
        return Promise.reject(new JobError('validation', 'DROP_FOLDER_OFF', 'the drop folder is not configured (STATIC_DATASET_INCOMING_DIR)', { retryable: false }));
      }
      return this.drop.fetch(...args);
    }
    return this.http.fetch(...args);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
