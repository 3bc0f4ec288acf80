import type { Logger } from 'pino';
import type { ReadinessReport } from '../adapters/transport/http/routes/health-routes.js';
import type { AppConfig } from './config.js';
import { redactDsnsIn } from './logger.js';
import { checkMigrations } from './storage.js';

const TIMEOUT_MS = 3_000;
const CACHE_MS = 1_000;

/** A report for anyone who asks, and what went wrong, for the log only. */
interface Finding {
  report: ReadinessReport;
  detail: string | undefined;
}

/**
 * Readiness: the database answers within a few seconds and every migration is applied unchanged.
 * Answers are cached for a second so a busy probe does not become load. The report is public, so
 * it holds only generic words (`ok`, `unavailable`, `pending`); what went wrong, which may name a
 * host, a database or a migration, is logged at warn once each time it changes, not per probe.
 */
export function databaseReadiness(database: AppConfig['database'], logger: Logger): () => Promise<ReadinessReport> {
  let cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  let lastState = 'ready';
  const observe = (finding: Finding): ReadinessReport => {
    const state = finding.report.ready ? 'ready' : JSON.stringify([finding.report.checks, finding.detail]);
    if (state !== lastState) {
      if (finding.report.ready) logger.info({ checks: finding.report.checks }, 'ready again');
      else logger.warn({ checks: finding.report.checks, detail: redactDsnsIn(finding.detail ?? '') }, 'not ready');
      lastState = state;
    }
    return finding.report;
  };
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > CACHE_MS) cached = { at: now, report: check(database).then(observe) };
    return cached.report;
  };
}

async function check(database: AppConfig['database']): Promise<Finding> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  try {
    const status = await Promise.race([checkMigrations(database), timeout]);
    if (status.problems.length > 0) {
      return { report: { ready: false, checks: { database: 'ok', migrations: 'changed' } }, detail: `migrations changed or missing: ${status.problems.join('; ')}` };
    }
    if (status.pending.length > 0) {
      return { report: { ready: false, checks: { database: 'ok', migrations: 'pending' } }, detail: `migrations pending: ${status.pending.join(', ')}` };
    }
    return { report: { ready: true, checks: { database: 'ok', migrations: 'ok' } }, detail: undefined };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { report: { ready: false, checks: { database: 'unavailable', migrations: 'unknown' } }, detail: `database unavailable: ${reason}` };
  } finally {
    clearTimeout(timer);
  }
}
