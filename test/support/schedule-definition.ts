import { scopeKeyOf } from '../../src/core/scope-key.js';
import type { ScheduleDefinition } from '../../src/core/schedule-repository.js';

/** A system.noop schedule every minute in UTC, with every default the API would give; `extra` overrides. */
export function scheduleDefinition(name: string, label: string, extra: Partial<ScheduleDefinition> = {}): ScheduleDefinition {
  const scope = { label };
  return {
    name,
    pipeline: 'system.noop',
    scope,
    scopeKey: scopeKeyOf(scope),
    params: {},
    priority: 0,
    maxAttempts: null,
    forceRepublish: false,
    cron: '* * * * *',
    timeZone: 'UTC',
    intervalSeconds: null,
    startAt: null,
    endAt: null,
    jitterSeconds: 0,
    missedPolicy: 'skip',
    maxCatchup: 10,
    overlapPolicy: 'allow',
    enabled: true,
    origin: 'api',
    ...extra,
  };
}
