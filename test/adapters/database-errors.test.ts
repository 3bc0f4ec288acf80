import { describe, expect, it } from 'vitest';
import { classifyPgError } from '../../src/adapters/storage/postgres/pg-errors.js';
import { classifySqliteError } from '../../src/adapters/storage/sqlite/sqlite-errors.js';
import { DatabaseUnavailableError } from '../../src/core/database-error.js';

const withCode = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

describe('PostgreSQL errors', () => {
  it.each([
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['reset', withCode('read ECONNRESET', { code: 'ECONNRESET' })],
    ['connection exception', withCode('connection failure', { code: '08006' })],
    ['admin shutdown', withCode('terminating connection due to administrator command', { code: '57P01' })],
    ['server starting', withCode('the database system is starting up', { code: '57P03' })],
    ['ended under a query', new Error('Connection terminated unexpectedly')],
  ])('a %s is a transient DatabaseUnavailableError carrying the original', (_, error) => {
    const classified = classifyPgError(error);
    expect(classified).toBeInstanceOf(DatabaseUnavailableError);
    expect(classified).toMatchObject({ permanent: false, cause: error });
  });

  it('bad credentials and a missing database are permanent', () => {
    expect(classifyPgError(withCode('password authentication failed', { code: '28P01' }))).toMatchObject({ permanent: true });
    expect(classifyPgError(withCode('database "x" does not exist', { code: '3D000' }))).toMatchObject({ permanent: true });
  });

  it('leaves the job\'s own errors alone: constraint violations, syntax errors, anything else', () => {
    for (const error of [withCode('duplicate key', { code: '23505' }), withCode('syntax error', { code: '42601' }), new TypeError('x')]) {
      expect(classifyPgError(error)).toBe(error);
    }
  });
});

describe('SQLite errors', () => {
  it('busy or failing files, from either driver, are transient; unopenable or corrupt ones permanent', () => {
    expect(classifySqliteError(withCode('database is locked', { code: 'SQLITE_BUSY' }))).toMatchObject({ permanent: false });
    expect(classifySqliteError(withCode('disk I/O error', { code: 'SQLITE_IOERR_WRITE' }))).toMatchObject({ permanent: false });
    expect(classifySqliteError(withCode('database is locked', { code: 'ERR_SQLITE_ERROR', errcode: 5 }))).toMatchObject({ permanent: false });
    expect(classifySqliteError(withCode('disk I/O error', { code: 'ERR_SQLITE_ERROR', errcode: 10 | (3 << 8) }))).toBeInstanceOf(DatabaseUnavailableError);
    expect(classifySqliteError(withCode('unable to open database file', { code: 'SQLITE_CANTOPEN' }))).toMatchObject({ permanent: true });
  });

  it('leaves constraint violations and other errors alone', () => {
    for (const error of [withCode('UNIQUE constraint failed', { code: 'SQLITE_CONSTRAINT_UNIQUE' }), withCode('x', { code: 'ERR_SQLITE_ERROR', errcode: 19 }), new Error('x')]) {
      expect(classifySqliteError(error)).toBe(error);
    }
  });
});
