import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';

/** The few calls the SQLite adapter makes of a driver: one connection, synchronous. */
export interface SqliteConnection {
  /** Which driver this connection uses (see `resolveSqliteDriver`). */
  readonly driver: 'node:sqlite' | 'better-sqlite3';
  /** Runs one or more statements, ignoring what they return. */
  exec(text: string): void;
  prepare(text: string): SqliteStatement;
  readonly inTransaction: boolean;
  close(): void;
}

export interface SqliteStatement {
  /** True when the statement returns rows (a SELECT, or anything with RETURNING). */
  readonly returnsRows: boolean;
  all(params: readonly unknown[]): Record<string, unknown>[];
  run(params: readonly unknown[]): { changes: number };
}

/** `auto`: `node:sqlite` on Node.js 24 and later, better-sqlite3 before. */
export type SqliteDriverChoice = 'auto' | SqliteConnection['driver'];

const require = createRequire(import.meta.url);
const nodeMajor = Number(process.versions.node.split('.')[0]);

/**
 * Opens `path` (a file, or `:memory:`) with the driver this Node.js runs best. better-sqlite3 12 is
 * built on `node::ObjectWrap`, whose destructor on Node.js 24 asks for the current environment; when
 * the garbage collector finalizes a statement or connection where there is none (at exit, say), the
 * process aborts. Node.js 24's own `node:sqlite` has no such finalizer and no experimental warning
 * any more, so it is used from 24 on; Node.js 20 has no `node:sqlite`, and on 22 it still warns.
 * See docs/adr/0011.
 */
export function openSqlite(path: string, driver: SqliteDriverChoice = 'auto'): SqliteConnection {
  return resolveSqliteDriver(driver) === 'node:sqlite' ? openNodeSqlite(path) : openBetterSqlite(path);
}

export function resolveSqliteDriver(driver: SqliteDriverChoice): SqliteConnection['driver'] {
  if (driver !== 'auto') return driver;
  return nodeMajor >= 24 ? 'node:sqlite' : 'better-sqlite3';
}

/** Whether this Node.js has `node:sqlite` without a flag (22.13 and later). */
export function nodeSqliteAvailable(): boolean {
  try {
    require('node:sqlite');
    return true;
  } catch {
    return false;
  }
}

// node:sqlite's types are not in @types/node 20, the oldest Node.js this project supports.
interface NodeSqliteStatement {
  all(...params: unknown[]): Record<string, unknown>[];
  run(...params: unknown[]): { changes: number | bigint };
  columns(): unknown[];
}
interface NodeSqliteDatabase {
  exec(text: string): void;
  prepare(text: string): NodeSqliteStatement;
  readonly isTransaction: boolean;
  close(): void;
}
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => NodeSqliteDatabase;
}

function openNodeSqlite(path: string): SqliteConnection {
  if (!nodeSqliteAvailable()) {
    throw new Error(`node:sqlite is not available in Node.js ${process.versions.node} (it needs 22.13 or later); use the better-sqlite3 driver`);
  }
  const { DatabaseSync } = require('node:sqlite') as NodeSqliteModule;
  const db = new DatabaseSync(path);
  return {
    driver: 'node:sqlite',
    exec: (text) => db.exec(text),
    prepare(text) {
      const statement = db.prepare(text);
      return {
        returnsRows: statement.columns().length > 0,
        all: (params) => statement.all(...params),
        run: (params) => ({ changes: Number(statement.run(...params).changes) }),
      };
    },
    get inTransaction() {
      return db.isTransaction;
    },
    close: () => db.close(),
  };
}

function openBetterSqlite(path: string): SqliteConnection {
  // Loaded only where it is used, so Node.js 24 never loads the addon.
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(path);
  return {
    driver: 'better-sqlite3',
    exec: (text) => {
      db.exec(text);
    },
    prepare(text) {
      const statement = db.prepare(text);
      return {
        returnsRows: statement.reader,
        all: (params) => statement.all(...params) as Record<string, unknown>[],
        run: (params) => ({ changes: statement.run(...params).changes }),
      };
    },
    get inTransaction() {
      return db.inTransaction;
    },
    close: () => {
      db.close();
    },
  };
}
