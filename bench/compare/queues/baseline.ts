import pg from 'pg';
import { seqOf, type QueueSubject } from '../subject.js';

/**
 * The floor: a table with a done flag and the least work that claims a job with
 * `FOR UPDATE SKIP LOCKED` and marks it done, in one statement and one commit. `one-row` claims a
 * single job per statement on each of c connections; `batch-500` claims up to 500 per statement.
 * No leases, attempts or retries: the handler runs after the job is already marked done.
 */
const BATCH = 500;
const CHANNEL = 'baseline_jobs';
const IDLE_POLL_MS = 1_000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS baseline_jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payload     jsonb       NOT NULL,
    done        boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
  );
  CREATE INDEX IF NOT EXISTS baseline_jobs_todo_idx ON baseline_jobs (id) WHERE NOT done;
  CREATE OR REPLACE FUNCTION baseline_jobs_announce() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('${CHANNEL}', ''); RETURN NULL; END $$;
  CREATE OR REPLACE TRIGGER baseline_jobs_announce AFTER INSERT ON baseline_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION baseline_jobs_announce();
`;

const claim = (limit: number) => ({
  name: `baseline_claim_${limit}`,
  text: `UPDATE baseline_jobs SET done = true, finished_at = now()
          WHERE id ${limit === 1 ? '=' : 'IN'} (SELECT id FROM baseline_jobs WHERE NOT done ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING payload`,
});

/** Wakes idle claim loops when jobs are announced; a loop that claimed nothing waits here. */
class Wakeup {
  private generation = 0;
  private waiters: (() => void)[] = [];

  get current(): number {
    return this.generation;
  }

  fire(): void {
    this.generation++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next announcement after `seen`, or after `timeoutMs`. */
  wait(seen: number, timeoutMs: number): Promise<void> {
    if (this.generation !== seen) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export const baseline: QueueSubject = {
  id: 'baseline',
  name: 'raw SQL baseline',
  configs: [
    { id: 'one-row', description: 'c connections, each looping one `UPDATE … WHERE id = (… LIMIT 1 FOR UPDATE SKIP LOCKED)` per job' },
    { id: 'batch-500', description: `c connections, each claiming and marking done up to ${BATCH} jobs per statement` },
  ],

  async openProducer(dsn, poolSize) {
    const pool = new pg.Pool({ connectionString: dsn, max: poolSize, application_name: 'bench:producer' });
    await pool.query(SCHEMA);
    return {
      enqueueOne: async (seq) => {
        await pool.query({ name: 'baseline_enqueue_one', text: 'INSERT INTO baseline_jobs (payload) VALUES ($1)', values: [{ seq }] });
      },
      enqueueBulk: async (from, count) => {
        const payloads = Array.from({ length: count }, (_, i) => JSON.stringify({ seq: from + i }));
        await pool.query({ name: 'baseline_enqueue_bulk', text: 'INSERT INTO baseline_jobs (payload) SELECT unnest($1::jsonb[])', values: [payloads] });
      },
      close: () => pool.end(),
    };
  },

  async prepareWorker({ dsn, config, concurrency, onJobStart }) {
    const statement = claim(config === 'batch-500' ? BATCH : 1);
    const connect = async () => {
      const client = new pg.Client({ connectionString: dsn, application_name: 'bench:worker' });
      client.on('error', (error) => process.stderr.write(`baseline: ${error.message}\n`));
      await client.connect();
      return client;
    };
    const clients = await Promise.all(Array.from({ length: concurrency }, connect));
    const listener = await connect();
    const wakeup = new Wakeup();
    listener.on('notification', () => wakeup.fire());
    let stopping = false;
    let loops: Promise<void>[] = [];

    const claimLoop = async (client: pg.Client) => {
      while (!stopping) {
        const seen = wakeup.current;
        const { rows } = await client.query<{ payload: unknown }>(statement);
        for (const row of rows) onJobStart(seqOf(row.payload));
        if (rows.length === 0) await wakeup.wait(seen, IDLE_POLL_MS);
      }
    };

    return {
      start: async () => {
        await listener.query(`LISTEN ${CHANNEL}`);
        loops = clients.map(claimLoop);
      },
      stop: async () => {
        stopping = true;
        wakeup.fire();
        await Promise.all(loops);
        await Promise.all([...clients, listener].map((client) => client.end()));
      },
    };
  },

  async anyUnfinished(db) {
    const result = await db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM baseline_jobs WHERE NOT done) AS any');
    return result.rows[0]?.any ?? true;
  },

  async countFinished(db) {
    const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM baseline_jobs WHERE done AND finished_at IS NOT NULL');
    return { finished: result.rows[0]?.n ?? 0, evidence: '`done = true` with `finished_at` set' };
  },
};
