import type { ReadinessReport } from '../adapters/transport/http/routes/health-routes.js';
import type { AppConfig } from './config.js';
import { checkMigrations } from './storage.js';

const TIMEOUT_MS = 3_000;
const CACHE_MS = 1_000;

/**
 * Readiness: the database answers within a few seconds and every migration is applied unchanged.
 * Answers are cached for a second so a busy probe does not become load.
 */
export function databaseReadiness(database: AppConfig['database']): () => Promise<ReadinessReport> {
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > CACHE_MS) cached = { at: now, report: check(database) };
    return cached.report;
  };
}

async function check(database: AppConfig['database']): Promise<ReadinessReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    const status = await Promise.race([checkMigrations(database), timeout]);
    const migrations =
      status.problems.length > 0
        ? `changed or missing: ${status.problems.join('; ')}`
        : status.pending.length > 0
          ? `pending: ${status.pending.join(', ')}`
          : 'ok';
    return { ready: migrations === 'ok', checks: { database: 'ok', migrations } };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ready: false, checks: { database: `unreachable: ${reason}`, migrations: 'unknown' } };
  } finally {
    clearTimeout(timer);
  }
}
