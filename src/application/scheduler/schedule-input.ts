import { z } from 'zod';
import { MAX_CATCHUP_LIMIT, MAX_JITTER_SECONDS } from '../../core/schedule/timing.js';

const instant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with a time zone offset' });

/**
 * A schedule as the API and the schedules file take it (snake_case). Shapes only: the pipeline's
 * scope and params schemas and the timing rules (cron, zone, DST) are checked by ScheduleService,
 * which names each wrong field the same way.
 */
export const scheduleInputSchema = z
  .object({
    name: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, { error: 'must be 1 to 200 visible ASCII characters, no spaces' }),
    pipeline: z.string().min(1).max(200),
    scope: z.record(z.string(), z.unknown()),
    params: z.record(z.string(), z.unknown()).optional(),
    priority: z.int().min(-1000).max(1000).optional(),
    max_attempts: z.int().min(1).max(1000).optional(),
    force_republish: z.boolean().optional(),
    cron: z.string().min(1).max(200).optional(),
    time_zone: z.string().min(1).max(100).optional(),
    interval_seconds: z.int().min(1).max(366 * 86_400).optional(),
    start_at: instant.optional(),
    end_at: instant.optional(),
    jitter_seconds: z.int().min(0).max(MAX_JITTER_SECONDS).optional(),
    missed_policy: z.enum(['skip', 'latest', 'all']).optional(),
    max_catchup: z.int().min(1).max(MAX_CATCHUP_LIMIT).optional(),
    overlap_policy: z.enum(['allow', 'skip', 'buffer_one']).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export type ScheduleInput = z.infer<typeof scheduleInputSchema>;
