import type { JobHandler } from './job-handler.js';

/** Handlers by pipeline name; a job whose pipeline has none fails as a validation error. */
export class HandlerRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(handlers: Iterable<JobHandler> = []) {
    for (const handler of handlers) this.register(handler);
  }

  register(handler: JobHandler): this {
    if (this.handlers.has(handler.pipeline)) throw new Error(`a handler for pipeline ${handler.pipeline} is already registered`);
    this.handlers.set(handler.pipeline, handler);
    return this;
  }

  get(pipeline: string): JobHandler | undefined {
    return this.handlers.get(pipeline);
  }

  pipelines(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
