import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRepository, QueueStat } from '../../src/core/job-repository.js';
import { loadConfig } from '../../src/platform/config.js';
import { createProcessMetrics } from '../../src/platform/metrics.js';
import { migrateDatabase, openJobRepository } from '../../src/platform/storage.js';
import { databaseConfig } from '../contract/job-repository-contract.js';
import { parseSamples, sample } from '../support/prometheus-text.js';
import { createPostgresDatabase, type TestDatabase } from '../support/test-databases.js';

interface Line {
  level: 'warn' | 'info';
  msg: string;
}

/** The queue gauges' one statement per scrape and its time limit, on a real PostgreSQL. */
describe('queue gauges on PostgreSQL', () => {
  let database: TestDatabase;
  let repo: JobRepository;
  const pipeline = `gauges.${Date.now()}`;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    await migrateDatabase(databaseConfig('postgres', database.dsn));
    repo = openJobRepository(databaseConfig('postgres', database.dsn));
    await repo.enqueueJobs([{ pipeline, scope: { n: 1 }, maxAttempts: 1 }]);
  });
  afterAll(async () => {
    await repo.close();
    await database.drop();
  });

  /** A process's metrics over `repo`, counting the statements it sends and keeping its log lines. */
  const processMetrics = (timeoutSec: string) => {
    const lines: Line[] = [];
    let statements = 0;
    const counted = {
      queueStats: (request: { timeoutMs: number }): Promise<QueueStat[]> => {
        statements++;
        return repo.queueStats(request);
      },
    };
    const logger = {
      warn: (_fields: object, msg: string) => void lines.push({ level: 'warn', msg }),
      info: (_fields: object, msg: string) => void lines.push({ level: 'info', msg }),
    };
    const metrics = createProcessMetrics(loadConfig({ METRICS_QUEUE_STATS_TIMEOUT_SEC: timeoutSec }), counted, [pipeline, 'idle.pipeline'], logger);
    return { metrics, lines, statements: () => statements };
  };

  it('reads the gauges with one statement per scrape, shared by scrapes that overlap, and zero for idle pipelines', async () => {
    const { metrics, statements } = processMetrics('5');
    const [first] = await Promise.all([metrics.render(), metrics.render(), metrics.render()]);
    expect(statements()).toBe(1);
    const samples = parseSamples(first);
    expect(sample(samples, 'ingest_queue_stats_up')).toBe(1);
    expect(sample(samples, 'ingest_queue_jobs', { pipeline, state: 'pending' })).toBe(1);
    expect(samples.get('ingest_queue_jobs{pipeline="idle.pipeline",state="running"}')).toBe(0);
    expect(samples.get('ingest_queue_oldest_runnable_age_seconds{pipeline="idle.pipeline"}')).toBe(0);
    expect(samples.has('process_cpu_user_seconds_total')).toBe(true);
    await metrics.render();
    expect(statements()).toBe(2);
  });

  it('answers without the gauges when the statement outruns its time limit, says so once, and recovers', async () => {
    const { metrics, lines } = processMetrics('0.3');
    const locker = new pg.Client({ connectionString: database.dsn });
    await locker.connect();
    try {
      // Holding the table's strongest lock makes the count wait until the statement timeout stops it.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE ingestion_jobs IN ACCESS EXCLUSIVE MODE');
      await expect(repo.queueStats({ timeoutMs: 300 })).rejects.toThrow(/statement timeout/);

      for (let scrape = 0; scrape < 2; scrape++) {
        const samples = parseSamples(await metrics.render());
        expect(sample(samples, 'ingest_queue_stats_up')).toBe(0);
        expect([...samples.keys()].filter((key) => key.startsWith('ingest_queue_jobs'))).toEqual([]);
        expect(samples.has('process_cpu_user_seconds_total')).toBe(true);
      }
      expect(lines).toEqual([{ level: 'warn', msg: expect.stringContaining('reading the queue gauges failed') as unknown }]);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    const samples = parseSamples(await metrics.render());
    expect(sample(samples, 'ingest_queue_stats_up')).toBe(1);
    expect(sample(samples, 'ingest_queue_jobs', { pipeline, state: 'pending' })).toBe(1);
    expect(lines.map((line) => line.level)).toEqual(['warn', 'info']);
  });
});
