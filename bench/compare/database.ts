import pg from 'pg';

export interface ServerInfo {
  version: string;
  embedded: boolean;
  synchronousCommit: string;
  fsync: string;
  sharedBuffers: string;
  maxConnections: string;
}

export interface ScenarioDatabase {
  dsn: string;
  drop(): Promise<void>;
}

/**
 * The one PostgreSQL server of a run: every queue and scenario gets a database of its own on it,
 * dropped afterwards, so no queue sees another's tables, dead tuples or background work.
 */
export class BenchServer {
  private created = 0;

  private constructor(
    private readonly admin: pg.Client,
    private readonly adminDsn: string,
    readonly embedded: boolean,
  ) {}

  static async connect(adminDsn: string, embedded: boolean): Promise<BenchServer> {
    const admin = new pg.Client({ connectionString: adminDsn, application_name: 'bench:admin' });
    await admin.connect();
    return new BenchServer(admin, adminDsn, embedded);
  }

  async info(): Promise<ServerInfo> {
    const show = async (setting: string) => (await this.admin.query<Record<string, string>>(`SHOW ${setting}`)).rows[0]?.[setting] ?? '?';
    const version = (await this.admin.query<{ version: string }>('SELECT version()')).rows[0]?.version ?? '?';
    return {
      version,
      embedded: this.embedded,
      synchronousCommit: await show('synchronous_commit'),
      fsync: await show('fsync'),
      sharedBuffers: await show('shared_buffers'),
      maxConnections: await show('max_connections'),
    };
  }

  /** A new empty database; its name says what it is for. */
  async createDatabase(label: string): Promise<ScenarioDatabase> {
    const name = `cmp_${process.pid}_${++this.created}_${label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`.slice(0, 63);
    await this.admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(this.adminDsn);
    url.pathname = `/${name}`;
    const dsn = url.toString();
    // Every connection must commit durably; refuse to measure anything else.
    const check = new pg.Client({ connectionString: dsn });
    await check.connect();
    try {
      const setting = (await check.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit;
      if (setting !== 'on') throw new Error(`synchronous_commit is '${setting ?? '?'}' in ${name}; the benchmark needs it on`);
    } finally {
      await check.end();
    }
    return { dsn, drop: () => this.admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined) };
  }

  close(): Promise<void> {
    return this.admin.end();
  }
}
