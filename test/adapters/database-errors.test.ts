import { describe, expect, it } from 'vitest';
import { asDatabaseError, classifyDatabaseError } from '../../src/adapters/storage/shared/database-errors.js';
import { DatabaseUnavailableError } from '../../src/core/database-unavailable.js';

const coded = (code: string, message = `failed with ${code}`) => Object.assign(new Error(message), { code });

/**
 * What a worker does about a database error hangs on this table: permanent ones end the process at
 * once, the others are retried until WORKER_DATABASE_UNAVAILABLE_EXIT_SEC. The real drivers'
 * errors (missing database, unknown host, refused, a SQLite path that cannot be a file) are covered
 * end to end by test/platform/worker-database-faults.test.ts; these are the ones a test cannot
 * provoke on demand.
 */
describe('classifyDatabaseError', () => {
  it.each([
    ['28P01', 'DATABASE_AUTH_FAILED'],
    ['28000', 'DATABASE_AUTH_FAILED'],
    ['3D000', 'DATABASE_NOT_FOUND'],
    ['42501', 'DATABASE_PERMISSION_DENIED'],
    ['ENOTFOUND', 'DATABASE_HOST_UNKNOWN'],
    ['SQLITE_CANTOPEN', 'DATABASE_NOT_FOUND'],
    ['SQLITE_READONLY_DBMOVED', 'DATABASE_NOT_FOUND'],
    ['SQLITE_NOTADB', 'DATABASE_NOT_FOUND'],
  ])('treats %s as permanent (%s)', (code, expected) => {
    const classified = classifyDatabaseError(coded(code));
    expect(classified).toBeInstanceOf(DatabaseUnavailableError);
    expect(classified).toMatchObject({ code: expected, permanent: true, category: 'database' });
  });

  it.each([
    ['57P03', 'DATABASE_UNREACHABLE'],
    ['57P01', 'DATABASE_UNREACHABLE'],
    ['08006', 'DATABASE_UNREACHABLE'],
    ['53300', 'DATABASE_BUSY'],
    ['42P01', 'DATABASE_SCHEMA_MISSING'],
    ['EAI_AGAIN', 'DATABASE_UNREACHABLE'],
    ['ECONNREFUSED', 'DATABASE_UNREACHABLE'],
    ['ECONNRESET', 'DATABASE_UNREACHABLE'],
    ['ETIMEDOUT', 'DATABASE_UNREACHABLE'],
    ['SQLITE_BUSY', 'DATABASE_BUSY'],
    ['SQLITE_IOERR_WRITE', 'DATABASE_UNREACHABLE'],
  ])('retries %s (%s)', (code, expected) => {
    expect(classifyDatabaseError(coded(code))).toMatchObject({ code: expected, permanent: false });
  });

  it('reads node:sqlite result codes, extended ones included', () => {
    const cantOpen = Object.assign(new Error('unable to open database file'), { code: 'ERR_SQLITE_ERROR', errcode: 14 });
    const busySnapshot = Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode: 5 | (2 << 8) });
    expect(classifyDatabaseError(cantOpen)).toMatchObject({ code: 'DATABASE_NOT_FOUND', permanent: true });
    expect(classifyDatabaseError(busySnapshot)).toMatchObject({ code: 'DATABASE_BUSY', permanent: false });
  });

  it('recognises a dropped connection that node-postgres reports by message only, and one address of many', () => {
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly'))).toMatchObject({ code: 'DATABASE_UNREACHABLE', permanent: false });
    const both = new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed');
    expect(classifyDatabaseError(both)).toMatchObject({ code: 'DATABASE_UNREACHABLE', permanent: false });
  });

  it('leaves errors of a query itself alone', () => {
    expect(classifyDatabaseError(coded('23505', 'duplicate key value violates unique constraint'))).toBeUndefined();
    expect(classifyDatabaseError(coded('SQLITE_CONSTRAINT_UNIQUE'))).toBeUndefined();
    expect(classifyDatabaseError(new RangeError('limit must be positive'))).toBeUndefined();
    expect(classifyDatabaseError('not an error')).toBeUndefined();
  });

  it('keeps the driver message after what to do', () => {
    const classified = classifyDatabaseError(coded('3D000', 'database "ingest" does not exist'));
    expect(classified?.message).toBe('the database named in DATABASE_DSN does not exist; create it or fix the name: database "ingest" does not exist');
    expect(classified?.cause).toBeInstanceOf(Error);
  });
});

/** The same table seen from a running job: an outage is the infrastructure's fault, the rest the job's. */
describe('asDatabaseError', () => {
  const withCode = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['reset', withCode('read ECONNRESET', { code: 'ECONNRESET' })],
    ['connection exception', withCode('connection failure', { code: '08006' })],
    ['admin shutdown', withCode('terminating connection due to administrator command', { code: '57P01' })],
    ['server starting', withCode('the database system is starting up', { code: '57P03' })],
    ['PostgreSQL connection ended under a query', new Error('Connection terminated unexpectedly')],
    ['busy SQLite file (better-sqlite3)', withCode('database is locked', { code: 'SQLITE_BUSY' })],
    ['failing SQLite write (extended code)', withCode('disk I/O error', { code: 'SQLITE_IOERR_WRITE' })],
    ['busy SQLite file (node:sqlite)', withCode('database is locked', { code: 'ERR_SQLITE_ERROR', errcode: 5 })],
    ['failing SQLite read (node:sqlite, extended)', withCode('disk I/O error', { code: 'ERR_SQLITE_ERROR', errcode: 10 | (3 << 8) })],
  ])('a %s is a transient DatabaseUnavailableError carrying the original', (_, error) => {
    const classified = asDatabaseError(error);
    expect(classified).toBeInstanceOf(DatabaseUnavailableError);
    expect(classified).toMatchObject({ permanent: false, cause: error });
  });

  it("leaves the job's own errors alone: constraint violations, syntax errors, anything else", () => {
    for (const error of [
      withCode('duplicate key', { code: '23505' }),
      withCode('syntax error', { code: '42601' }),
      withCode('UNIQUE constraint failed', { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
      withCode('x', { code: 'ERR_SQLITE_ERROR', errcode: 19 }),
      new TypeError('x'),
    ]) {
      expect(asDatabaseError(error)).toBe(error);
    }
  });
});
