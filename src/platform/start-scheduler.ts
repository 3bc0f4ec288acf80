import type { Logger } from 'pino';
import { HandlerRegistry } from '../application/handler-registry.js';
import type { JobHandler } from '../application/job-handler.js';
import { Scheduler } from '../application/scheduler/scheduler.js';
import { ScheduleService } from '../application/scheduler/schedule-service.js';
import { createCronerEngine } from '../adapters/schedule/croner-engine.js';
import type { JobRepository } from '../core/job-repository.js';
import type { ScheduleRepository } from '../core/schedule-repository.js';
import type { AppConfig } from './config.js';
import { applyPipelineLimits, applySchedules, readSchedulesFile } from './schedules-file.js';

/**
 * The scheduler of a worker process: applies SCHEDULES_FILE (when set: its schedules and pipeline
 * limits) and starts firing due
 * schedules (unless SCHEDULER_ENABLED=false). A bad file fails the start with every problem named.
 */
export async function startScheduler(
  config: AppConfig,
  storage: { schedules: ScheduleRepository; jobs: Pick<JobRepository, 'setPipelineLimit'> },
  handlers: JobHandler[],
  logger: Logger,
): Promise<{ stop: () => Promise<void> }> {
  const { schedules } = storage;
  const engine = createCronerEngine();
  const registry = new HandlerRegistry(handlers);
  const service = new ScheduleService(schedules, registry, engine);
  if (config.scheduler.file !== undefined) {
    const file = await readSchedulesFile(config.scheduler.file, service, registry.pipelines());
    const report = await applySchedules(file.schedules, service, schedules);
    const limits = await applyPipelineLimits(file.limits, storage.jobs);
    logger.info({ file: config.scheduler.file, ...report, limits }, 'schedules file applied');
    if (report.leftAlone.length > 0) {
      logger.warn({ names: report.leftAlone }, 'schedules in SCHEDULES_FILE share a name with schedules made through the API; those were left as they are');
    }
  }
  if (!config.scheduler.enabled) return { stop: () => Promise.resolve() };
  const scheduler = new Scheduler({
    schedules,
    engine,
    defaultMaxAttempts: config.worker.maxAttempts,
    pollIntervalMs: config.scheduler.pollIntervalMs,
    logger,
  });
  scheduler.start();
  return { stop: () => scheduler.stop() };
}
