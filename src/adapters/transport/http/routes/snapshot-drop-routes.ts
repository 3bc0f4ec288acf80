import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Job } from '../../../../core/job.js';
import { DROP_OUTCOMES, type DropLedger, type DropRecord } from '../../../../core/snapshot-drops.js';
import { jobSchema, jobResource } from '../job-resource.js';
import { jsonObjectSchema } from '../json-value.js';
import { HttpProblem, problemSchema } from '../problem.js';
import { positiveId } from '../request-fields.js';

/** What the upload route hands a body to; the platform wires it to the drop folder's intake. */
export type SnapshotUpload = (bytes: Uint8Array) => Promise<
  | { kind: 'invalid'; problems: { path: string; message: string }[] }
  | { kind: 'submitted' | 'duplicate'; drop: DropRecord; job: Job }
>;

export interface SnapshotDropApi {
  ledger: DropLedger;
  /** Undefined while the drop folder is off (STATIC_DATASET_INCOMING_DIR unset). */
  upload: SnapshotUpload | undefined;
  /** The upload's body limit: the drop folder's file size cap. */
  maxBytes: number;
}

const nullableNumber = z.number().nullable();
/** Free-form source data: any JSON object. */
const freeForm = z.record(z.string(), z.unknown());
const nullableText = z.string().nullable();
/**
 * The snapshot file format as the API document shows it (docs/static-dataset-records.md has every
 * rule); the route checks bodies with the very validator the folder uses, not with this schema.
 */
const snapshotRowSchema = z
  .object({
    competition_external_id: z.string(),
    competition_name: z.string(),
    season: z.string(),
    team_external_id: z.string(),
    team_name: z.string(),
    player_external_id: z.string(),
    full_name: z.string(),
    first_name: nullableText,
    last_name: nullableText,
    birth_date: z.string().nullable().describe('YYYY-MM-DD, a real date'),
    nationality: nullableText,
    height_cm: nullableNumber,
    weight_kg: nullableNumber,
    position: nullableText,
    role: nullableText,
    games_played: z.int(),
    minutes_per_game: nullableNumber,
    points_per_game: nullableNumber,
    rebounds_per_game: nullableNumber,
    assists_per_game: nullableNumber,
    steals_per_game: nullableNumber,
    blocks_per_game: nullableNumber,
    turnovers_per_game: nullableNumber,
    fg_pct: nullableNumber.describe('0 to 100'),
    three_pt_pct: nullableNumber.describe('0 to 100'),
    ft_pct: nullableNumber.describe('0 to 100'),
    source_metadata: freeForm,
    raw_payload: freeForm,
  })
  .describe('One player-season row; any other field is refused')
  .meta({ id: 'SnapshotRecord' });
const snapshotDocumentSchema = z
  .object({
    source_name: z.string().min(1),
    snapshot_date: z.string().describe('YYYY-MM-DD, a real date'),
    records: z.array(snapshotRowSchema).min(1),
    source_metadata: freeForm,
    raw_payload: freeForm,
  })
  .describe('A static snapshot file; any other field is refused')
  .meta({ id: 'SnapshotDocument' });

const dropSchema = z
  .object({
    id: z.string(),
    file_name: z.string().describe('The name the file was dropped or stored as'),
    sha256: z.string().nullable().describe("The file's SHA-256: its identity (null for a refused entry that was never read)"),
    size: z.int(),
    via: z.enum(['folder', 'upload']),
    outcome: z
      .enum(DROP_OUTCOMES)
      .describe('pending (its job has not ended), imported, duplicate (same content as an earlier file: not imported again), invalid, refused, poison (its job was exhausted), failed'),
    job_id: z.string().nullable().describe('The import job; for a duplicate, the job of the earlier file'),
    location: z.string().nullable().describe('Where the file is now (relative to the drop root when under it); null while it waits in processing'),
    detail: jsonObjectSchema.describe('The problems of an invalid file, the reason of a refused one, the failure of a poison one'),
    created_at: z.iso.datetime({ offset: true }),
    updated_at: z.iso.datetime({ offset: true }),
  })
  .meta({ id: 'SnapshotDrop' });

const dropWithJobSchema = z.object({ drop: dropSchema, job: jobSchema }).meta({ id: 'SnapshotDropSubmitted' });
const dropListSchema = z.object({ drops: z.array(dropSchema) }).meta({ id: 'SnapshotDropList' });

function dropResource(drop: DropRecord): z.infer<typeof dropSchema> {
  return {
    id: drop.id,
    file_name: drop.fileName,
    sha256: drop.sha256,
    size: drop.size,
    via: drop.via,
    outcome: drop.outcome,
    job_id: drop.jobId,
    location: drop.location,
    detail: drop.detail,
    created_at: drop.createdAt.toISOString(),
    updated_at: drop.updatedAt.toISOString(),
  };
}

/** `$.records[3].birth_date` as the API names fields: `body.records.3.birth_date`. */
export function fieldOfJsonPath(path: string): string {
  return `body${path.slice(1).replace(/\[(\d+)\]/g, '.$1')}`;
}

/** Uploading a snapshot file, and what became of each file (docs/adr/0025). */
export function registerSnapshotDropRoutes(app: FastifyInstance, api: SnapshotDropApi): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  void app.register((scope, _options, done) => {
    // The body is kept as its bytes: its SHA-256 is its identity, as a dropped file's is.
    const bodies = new WeakMap<FastifyRequest, Buffer>();
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: api.maxBytes }, (request, body, parsed) => {
      bodies.set(request, body as Buffer);
      parsed(null, {});
    });
    scope.withTypeProvider<ZodTypeProvider>().post('/snapshot-drops', {
      schema: {
        operationId: 'uploadSnapshotDrop',
        summary: 'Import a static snapshot file sent as the body, exactly as if it had been dropped in the incoming folder',
        description:
          'The body is checked by the same validator as a dropped file; every problem is named with its JSON path. A valid ' +
          'body is written to the processing folder and imported by one static_dataset.snapshot job. The same bytes sent ' +
          'again (or dropped as a file) are a duplicate of the first: 200 with the earlier job, nothing imported twice.',
        tags: ['snapshots'],
        body: snapshotDocumentSchema,
        response: { 200: dropWithJobSchema, 202: dropWithJobSchema, 400: problemSchema, 401: problemSchema, 404: problemSchema, 413: problemSchema, 415: problemSchema },
        responseDocs: {
          200: { description: 'The same content was submitted before: recorded as a duplicate; `job` is the earlier import' },
          202: { description: 'Accepted: the drop is pending and `job` imports it; follow it at GET jobs/{id}' },
          404: { description: 'The drop folder is off (STATIC_DATASET_INCOMING_DIR is not set)' },
          413: { description: 'The body is larger than STATIC_DATASET_MAX_FILE_BYTES' },
        },
      },
      // Checked below, on the bytes, by the drop folder's validator; the schema documents the format.
      validatorCompiler: () => (value: unknown) => ({ value }),
      handler: async (request, reply) => {
        if (api.upload === undefined) throw new HttpProblem(404, 'the drop folder is off (STATIC_DATASET_INCOMING_DIR is not set)');
        const bytes = bodies.get(request) ?? Buffer.alloc(0);
        const result = await api.upload(new Uint8Array(bytes));
        if (result.kind === 'invalid') {
          const errors = result.problems.map((p) => ({ field: fieldOfJsonPath(p.path), message: p.message }));
          throw new HttpProblem(400, `the snapshot is invalid (${errors.length} problem${errors.length === 1 ? '' : 's'})`, errors);
        }
        return reply.status(result.kind === 'submitted' ? 202 : 200).send({ drop: dropResource(result.drop), job: jobResource(result.job) });
      },
    });
    done();
  });

  routes.get('/snapshot-drops', {
    schema: {
      operationId: 'listSnapshotDrops',
      summary: 'What became of dropped and uploaded snapshot files, newest first',
      tags: ['snapshots'],
      querystring: z.strictObject({
        job_id: positiveId('a job id').optional().describe('Only the files of this import job (duplicates of it included)'),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits').optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: { 200: dropListSchema, 400: problemSchema, 401: problemSchema },
      responseDocs: { 200: { description: 'The files, newest first' } },
    },
    handler: async (request) => {
      const { job_id: jobId, sha256, limit } = request.query;
      const drops = await api.ledger.listDrops({ limit, ...(jobId === undefined ? {} : { jobId }), ...(sha256 === undefined ? {} : { sha256 }) });
      return { drops: drops.map(dropResource) };
    },
  });

  routes.get('/snapshot-drops/:id', {
    schema: {
      operationId: 'getSnapshotDrop',
      summary: 'What became of one dropped or uploaded snapshot file',
      tags: ['snapshots'],
      params: z.strictObject({ id: positiveId('an id') }),
      response: { 200: z.object({ drop: dropSchema }).meta({ id: 'SnapshotDropResponse' }), 400: problemSchema, 401: problemSchema, 404: problemSchema },
      responseDocs: { 200: { description: 'The file, its outcome and where it went' }, 404: { description: 'No such drop' } },
    },
    handler: async (request) => {
      const drop = await api.ledger.getDrop(request.params.id);
      if (drop === null) throw new HttpProblem(404, `snapshot drop ${request.params.id} does not exist`);
      return { drop: dropResource(drop) };
    },
  });
}
