import { z } from 'zod';
import { JobError } from '../../core/job-error.js';
import type { PipelineDefinition } from '../../core/pipeline.js';
import { dropUrl, parseClaimName } from './drop-folder/claim-name.js';
import { normalizeSnapshot } from './snapshot/normalize-snapshot.js';
import type { SnapshotDocument } from './snapshot/snapshot-schema.js';
import { validateSnapshotDocument } from './snapshot/validate-snapshot.js';

export const STATIC_DATASET_PIPELINE = 'static_dataset.snapshot';

const scopeSchema = z.strictObject({
  source_name: z.string().min(1).max(200).describe('The `source_name` of the snapshot file'),
});
const paramsSchema = z.strictObject({
  file: z
    .string()
    .refine((name) => parseClaimName(name) !== undefined, { error: 'must name a claimed file in the processing folder (<sha256>~<token>~<name>)' })
    .describe('The file in the processing folder, as the drop folder claimed it'),
});

type Scope = z.infer<typeof scopeSchema>;
type Params = z.infer<typeof paramsSchema>;

/**
 * A static snapshot file, read (not fetched) from the processing folder through the `drop:` scheme:
 * the file's bytes become the job's snapshot, then are validated and normalized like any response.
 */
export const staticDatasetPipeline: PipelineDefinition<Scope, Params, SnapshotDocument> = {
  name: STATIC_DATASET_PIPELINE,
  scopeSchema,
  paramsSchema,
  parserVersion: 'static-dataset-1',
  normalizerVersion: 'static-dataset-1',
  // A drop: URL names no host; the drop fetcher reads only claimed files in the processing folder.
  allowedHosts: [],
  maxRequests: 1,
  planRequests: ({ params, fetched }) => {
    if (fetched.length > 0) return [];
    const claim = parseClaimName(params.file);
    return [{ resourceType: 'snapshot_file', resourceKey: claim?.fileName ?? params.file, method: 'GET', url: dropUrl(params.file) }];
  },
  parse: ({ scope, fetched }) => {
    const [file] = fetched;
    if (file === undefined) throw new JobError('parse', 'SNAPSHOT_FILE_MISSING', 'no snapshot file was read');
    const result = validateSnapshotDocument(file.body);
    if (!result.ok) {
      const listed = result.problems.slice(0, 20).map((p) => `${p.path}: ${p.message}`).join('; ');
      throw new JobError('validation', 'INVALID_SNAPSHOT', `the snapshot file is invalid (${result.problems.length} problems): ${listed}`, { retryable: false });
    }
    if (result.document.source_name !== scope.source_name) {
      throw new JobError('validation', 'SOURCE_NAME_MISMATCH', `the file is for source ${result.document.source_name}, not ${scope.source_name}`, { retryable: false });
    }
    return result.document;
  },
  normalize: ({ parsed }) => normalizeSnapshot(parsed),
};
