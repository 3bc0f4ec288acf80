import { describe, expect, it } from 'vitest';
import { pipelineTimeoutMs, REQUEST_ALLOWANCE_MS } from '../../src/application/pipeline-handler.js';
import { systemNoopHandler } from '../../src/application/pipelines/system-noop.js';
import { registeredPipelines } from '../../src/platform/handlers.js';

describe('run time bounds', () => {
  it('give every registered pipeline room for each request it may make', () => {
    for (const definition of registeredPipelines()) {
      expect(pipelineTimeoutMs(definition)).toBeGreaterThan(definition.maxRequests * REQUEST_ALLOWANCE_MS);
    }
  });

  it('use a pipeline\'s own bound when it declares one', () => {
    expect(pipelineTimeoutMs({ maxRequests: 50, timeoutMs: 5_000 })).toBe(5_000);
  });

  it('let system.noop sleep as long as its params allow', () => {
    expect(systemNoopHandler.timeoutMs).toBeGreaterThan(600_000);
  });
});
