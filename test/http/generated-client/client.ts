/**
 * A client written against types generated from the live API document, with no casts and no
 * `any`: test/http/api-generated-client.test.ts copies it next to the generated `schema.d.ts`,
 * type-checks it strictly, runs it against a real server and checks what it printed. A document
 * that drifts from what the server accepts or answers breaks either the type-check or the run.
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const baseUrl = process.env.BASE_URL ?? '';
const client = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${process.env.TOKEN ?? ''}` } });
const publishedJob = process.env.PUBLISHED_JOB_ID ?? '';

function must<T>(what: string, value: T | undefined): T {
  if (value === undefined) throw new Error(`${what}: no data`);
  return value;
}

/** The first event of a text/event-stream body: its id and event lines, and its data parsed; then the stream is cancelled. */
async function firstStreamEvent(body: ReadableStream<Uint8Array> | null | undefined): Promise<{ id?: string | undefined; event?: string | undefined; data?: unknown }> {
  if (body === null || body === undefined) return {};
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const frame = text.split('\n\n').find((block) => block.includes('\ndata: ') || block.startsWith('data: '));
    if (frame !== undefined && text.includes(`${frame}\n\n`)) {
      await reader.cancel();
      const line = (name: string) => frame.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const data = line('data');
      return { id: line('id'), event: line('event'), data: data === undefined ? undefined : JSON.parse(data) };
    }
    const { value, done } = await reader.read();
    if (done) return {};
    text += decoder.decode(value, { stream: true });
  }
}

async function main(): Promise<Record<string, unknown>> {
  const live = await client.GET('/internal/v1/health/live', { headers: { authorization: '' } });
  const ready = await client.GET('/internal/v1/health/ready', { headers: { authorization: '' } });

  const request = { pipeline: 'test.catalog', scope: { name: 'from-client' }, priority: 2 } as const;
  const created = await client.POST('/internal/v1/jobs', { body: request, params: { header: { 'idempotency-key': 'client-1' } } });
  const replayed = await client.POST('/internal/v1/jobs', { body: request, params: { header: { 'idempotency-key': 'client-1' } } });
  const job = must('enqueue', created.data).job;
  const noop = await client.POST('/internal/v1/jobs', { body: { pipeline: 'system.noop', scope: { label: 'typed' }, params: { sleep_ms: 0 } } });
  const invalid = await client.POST('/internal/v1/jobs', { body: { pipeline: 'system.noop', scope: { label: '' } } });
  const batch = await client.POST('/internal/v1/jobs/batch', {
    body: {
      jobs: [
        { pipeline: 'system.noop', scope: { label: 'batched' }, idempotency_key: 'batch-1' },
        { pipeline: 'system.noop', scope: { label: '' } },
      ],
    },
  });

  const list = await client.GET('/internal/v1/jobs', { params: { query: { pipeline: 'test.catalog', state: 'pending', limit: 10 } } });
  const shown = await client.GET('/internal/v1/jobs/{id}', { params: { path: { id: job.id } } });
  const cancelled = await client.POST('/internal/v1/jobs/{id}/cancel', { params: { path: { id: job.id } } });
  const retried = await client.POST('/internal/v1/jobs/{id}/retry', { params: { path: { id: job.id } } });
  const missing = await client.GET('/internal/v1/jobs/{id}', { params: { path: { id: '999999999' } } });

  const latest = await client.GET('/internal/v1/publications/latest', { params: { query: { pipeline: 'test.catalog' } } });
  const latestByName = await client.GET('/internal/v1/publications/latest/test.catalog', { params: { query: { name: 'alpha' } } });
  const noopLatest = await client.GET('/internal/v1/publications/latest/system.noop', { params: { query: { label: 'none', limit: 5 } } });
  const found = must('latest by name', latestByName.data).publications[0];
  const publication = await client.GET('/internal/v1/publications/{id}', { params: { path: { id: found?.id ?? '0' } } });
  const history = await client.GET('/internal/v1/publications', { params: { query: { pipeline: 'test.catalog', scope_key: found?.scope_key ?? '' } } });

  const snapshots = await client.GET('/internal/v1/jobs/{id}/snapshots', { params: { path: { id: publishedJob } } });
  const snapshot = must('snapshots', snapshots.data).snapshots[0];
  const body = await client.GET('/internal/v1/snapshots/{id}/body', { params: { path: { id: snapshot?.id ?? '0' } }, parseAs: 'text' });

  const metrics = await client.GET('/metrics', { parseAs: 'text' });
  const metricLine = (prefix: string) => metrics.data?.split('\n').find((line) => line.startsWith(prefix));
  const catalog = { path: { name: 'test.catalog' } };
  const limitSet = await client.PUT('/internal/v1/pipelines/{name}/limits', { params: catalog, body: { max_running: 2 } });
  const limitRead = await client.GET('/internal/v1/pipelines/{name}/limits', { params: catalog });
  const limitRemoved = await client.PUT('/internal/v1/pipelines/{name}/limits', { params: catalog, body: { max_running: null } });
  const limitUnknown = await client.GET('/internal/v1/pipelines/{name}/limits', { params: { path: { name: 'no.such.pipeline' } } });

  // After the metrics: a triggered schedule makes a job, which would change the queue gauge.
  const daily = { name: 'client-daily', pipeline: 'system.noop', scope: { label: 'scheduled' }, cron: '30 2 * * *', time_zone: 'Europe/Stockholm' } as const;
  const createdSchedule = await client.POST('/internal/v1/schedules', { body: daily });
  const scheduleId = must('create schedule', createdSchedule.data).schedule.id;
  const path = { path: { id: scheduleId } };
  const badZone = await client.POST('/internal/v1/schedules', { body: { ...daily, name: 'client-bad-zone', time_zone: 'Nowhere/Else' } });
  const schedules = await client.GET('/internal/v1/schedules', { params: { query: { limit: 10 } } });
  const replaced = await client.PUT('/internal/v1/schedules/{id}', { params: path, body: { ...daily, priority: 3 } });
  const paused = await client.POST('/internal/v1/schedules/{id}/pause', { params: path, body: { reason: 'maintenance', until: '2099-01-01T00:00:00Z' } });
  const resumed = await client.POST('/internal/v1/schedules/{id}/resume', { params: path });
  const triggered = await client.POST('/internal/v1/schedules/{id}/trigger', { params: path });
  const runs = await client.GET('/internal/v1/schedules/{id}/runs', { params: { ...path, query: { limit: 5 } } });
  const preview = await client.GET('/internal/v1/schedules/{id}/preview', { params: { ...path, query: { count: 2, from: '2026-03-28T12:00:00Z' } } });
  const deletedSchedule = await client.DELETE('/internal/v1/schedules/{id}', { params: path });
  const shownSchedule = await client.GET('/internal/v1/schedules/{id}', { params: path });

  const row = {
    competition_external_id: 'comp-1', competition_name: 'Harbour League', season: '2026', team_external_id: 'team-1', team_name: 'Harbour',
    player_external_id: 'player-1', full_name: 'Ana Client', first_name: 'Ana', last_name: 'Client', birth_date: '2002-06-01',
    nationality: null, height_cm: 181, weight_kg: null, position: 'G', role: null, games_played: 12, minutes_per_game: 20.5,
    points_per_game: 9.5, rebounds_per_game: 3, assists_per_game: 4, steals_per_game: 1, blocks_per_game: 0, turnovers_per_game: 2,
    fg_pct: 0.45, three_pt_pct: null, ft_pct: 0.8, source_metadata: {}, raw_payload: { line: 1 },
  };
  const snapshotFile = { source_name: 'client-league', snapshot_date: '2026-11-30', records: [row], source_metadata: {}, raw_payload: {} };
  const uploaded = await client.POST('/internal/v1/snapshot-drops', { body: snapshotFile });
  const uploadedAgain = await client.POST('/internal/v1/snapshot-drops', { body: snapshotFile });
  const badUpload = await client.POST('/internal/v1/snapshot-drops', { body: { ...snapshotFile, records: [{ ...row, birth_date: '2002-02-30' }] } });
  const uploadJob = must('upload', uploaded.data).job.id;
  const dropList = await client.GET('/internal/v1/snapshot-drops', { params: { query: { job_id: uploadJob, limit: 10 } } });
  const dropOne = await client.GET('/internal/v1/snapshot-drops/{id}', { params: { path: { id: must('upload', uploaded.data).drop.id } } });
  const staticLatest = await client.GET('/internal/v1/publications/latest/static_dataset.snapshot', { params: { query: { source_name: 'client-league' } } });
  const createdWebhook = await client.POST('/internal/v1/webhooks', { body: { url: 'http://127.0.0.1:9/hooks', pipelines: ['test.catalog'], ordered: true } });
  const webhookId = must('create webhook', createdWebhook.data).webhook.id;
  const hook = { path: { id: webhookId } };
  const badWebhook = await client.POST('/internal/v1/webhooks', { body: { url: 'ftp://example.com/', pipelines: ['no.such.pipeline'] } });
  const webhooks = await client.GET('/internal/v1/webhooks', { params: { query: { limit: 10 } } });
  const shownWebhook = await client.GET('/internal/v1/webhooks/{id}', { params: hook });
  const updatedWebhook = await client.PATCH('/internal/v1/webhooks/{id}', { params: hook, body: { description: 'from the client' } });
  const rotatedWebhook = await client.POST('/internal/v1/webhooks/{id}/rotate-secret', { params: hook, body: { previous_valid_seconds: 60 } });
  const testedWebhook = await client.POST('/internal/v1/webhooks/{id}/test', { params: hook });
  const deliveries = await client.GET('/internal/v1/webhooks/{id}/deliveries', { params: { ...hook, query: { status: 'failed' } } });
  const delivery = await client.GET('/internal/v1/webhooks/{id}/deliveries/{delivery_id}', { params: { path: { id: webhookId, delivery_id: '999' } } });
  const resent = await client.POST('/internal/v1/webhooks/{id}/resend', { params: hook, body: { event_id: 'evt_none', requested_by: 'client' } });
  const redelivered = await client.POST('/internal/v1/webhooks/{id}/redeliver', { params: hook, body: { since: '2026-01-01T00:00:00Z', requested_by: 'client' } });
  const recoveries = await client.GET('/internal/v1/webhooks/{id}/recoveries', { params: { ...hook, query: { limit: 5 } } });
  const deletedWebhook = await client.DELETE('/internal/v1/webhooks/{id}', { params: hook });
  const goneWebhook = await client.GET('/internal/v1/webhooks/{id}', { params: hook });
  const changes = await client.GET('/internal/v1/changes', { params: { query: { pipeline: 'test.catalog', limit: 10 } } });
  const changeCursor = must('changes', changes.data).next_cursor;
  const waited = await client.GET('/internal/v1/changes', { params: { query: { after: changeCursor, wait: 0.1 } } });
  const badAfter = await client.GET('/internal/v1/changes', { params: { query: { after: 'not-a-cursor' } } });
  const stream = await client.GET('/internal/v1/changes/stream', { params: { query: { pipeline: 'test.catalog' } }, parseAs: 'stream' });
  const streamed = await firstStreamEvent(stream.data);

  return {
    live: live.data?.status,
    ready: ready.data?.status,
    created: { status: created.response.status, state: job.state, priority: job.priority, location: created.response.headers.get('location') },
    replayed: { status: replayed.response.status, header: replayed.response.headers.get('idempotent-replayed'), id: replayed.data?.job.id },
    job_id: job.id,
    noop_scope_label: noop.data?.job.scope.label,
    batch: batch.data?.results.map((r) => [r.status, r.job?.scope.label ?? r.problem?.errors?.map((e) => e.field)]),
    invalid: { status: invalid.response.status, type: invalid.response.headers.get('content-type'), fields: invalid.error?.errors?.map((e) => e.field) },
    listed: list.data?.jobs.map((j) => j.id),
    shown: { id: shown.data?.job.id, parent: shown.data?.job.parent_job_id, transitions: shown.data?.transitions.map((t) => t.to_state), result: shown.data?.result },
    cancelled: { effect: cancelled.data?.effect, state: cancelled.data?.job.state },
    retried: retried.data?.job.state,
    missing: { status: missing.error?.status, detail: missing.error?.detail },
    latest: latest.data?.publications.map((p) => p.scope_key).sort(),
    noop_latest: noopLatest.data?.publications.length,
    latest_by_name: latestByName.data?.publications.map((p) => p.scope_key),
    publication: { id: publication.data?.publication.id, version: publication.data?.publication.version },
    history: history.data?.publications.map((p) => p.version),
    snapshot: { content_type: snapshot?.content_type, served_as: body.response.headers.get('content-type'), body: body.data },
    metrics: {
      type: metrics.response.headers.get('content-type'),
      enqueued: metricLine('ingest_jobs_enqueued_total{pipeline="system.noop"}'),
      queue: metricLine('ingest_queue_jobs{pipeline="system.noop",state="pending"}'),
    },
    limits: {
      set: limitSet.data?.limits.max_running,
      read: [limitRead.data?.limits.pipeline, limitRead.data?.limits.max_running, typeof limitRead.data?.limits.updated_at],
      removed: [limitRemoved.data?.limits.max_running, limitRemoved.data?.limits.updated_at],
      unknown: limitUnknown.error?.status,
    },
    changes: {
      read: changes.data?.events.map((e) => [e.type, e.scope_key, e.version, e.cursor === changeCursor]),
      waited: waited.data?.events.length,
      bad_after: { status: badAfter.response.status, fields: badAfter.error?.errors?.map((e) => e.field) },
      stream: {
        status: stream.response.status,
        type: stream.response.headers.get('content-type'),
        event: streamed.event,
        id_is_cursor: streamed.id === changeCursor,
        data: streamed.data,
      },
    },
    schedules: {
      created: { status: createdSchedule.response.status, location: createdSchedule.response.headers.get('location') === `/internal/v1/schedules/${scheduleId}` },
      bad_zone: { status: badZone.response.status, fields: badZone.error?.errors?.map((e) => e.field) },
      listed: schedules.data?.schedules.map((s) => s.name),
      replaced_priority: replaced.data?.schedule.priority,
      paused: paused.data?.schedule.paused_reason,
      resumed: resumed.data?.schedule.paused_at,
      triggered: { status: triggered.response.status, kind: triggered.data?.run.kind, own_job: triggered.data?.job.schedule_id === scheduleId },
      runs: runs.data?.runs.map((r) => [r.kind, r.job_id === triggered.data?.job.id]),
      preview: preview.data?.occurrences.map((o) => [o.local, o.dst_adjustment]),
      deleted: deletedSchedule.data?.schedule.deleted_at === shownSchedule.data?.schedule.deleted_at && shownSchedule.data?.schedule.deleted_at !== null,
    },
    snapshot_drops: {
      uploaded: [uploaded.response.status, uploaded.data?.drop.outcome, uploaded.data?.job.pipeline, uploaded.data?.job.scope.source_name],
      again: [uploadedAgain.response.status, uploadedAgain.data?.drop.outcome, uploadedAgain.data?.job.id === uploadJob],
      invalid: [badUpload.response.status, badUpload.error?.errors?.map((e) => e.field)],
      listed: dropList.data?.drops.map((d) => d.outcome),
      one: dropOne.data?.drop.file_name,
      latest: staticLatest.data?.publications.length,
    },
    webhooks: {
      created: { status: createdWebhook.response.status, secret: createdWebhook.data?.secret.startsWith('whsec_'), ordered: createdWebhook.data?.webhook.ordered },
      bad: { status: badWebhook.response.status, fields: badWebhook.error?.errors?.map((e) => e.field) },
      listed: webhooks.data?.webhooks.map((w) => w.id === webhookId),
      shown: shownWebhook.data?.webhook.pipelines,
      updated: updatedWebhook.data?.webhook.description,
      rotated: [rotatedWebhook.data?.secret !== createdWebhook.data?.secret, rotatedWebhook.data?.webhook.previous_secret_valid_until !== null],
      tested: [testedWebhook.data?.test.outcome, testedWebhook.data?.test.status_code],
      deliveries: deliveries.data?.deliveries.length,
      delivery: delivery.error?.status,
      resent: resent.error?.status,
      redelivered: [redelivered.response.status, redelivered.data?.deliveries.length],
      recoveries: recoveries.data?.recoveries.map((r) => [r.kind, r.requested_by, r.delivery_count]),
      deleted: [deletedWebhook.response.status, goneWebhook.error?.status],
    },
  };
}

main().then(
  (summary) => process.stdout.write(`${JSON.stringify(summary)}\n`),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
