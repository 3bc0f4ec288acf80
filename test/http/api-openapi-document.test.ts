import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredPipelines } from '../../src/platform/handlers.js';
import { startApiHarness, type ApiHarness } from './api-harness.js';

interface Operation {
  operationId?: string;
  summary?: string;
  security?: unknown[];
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: Record<string, unknown> }> }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  parameters?: { name: string; in: string }[];
}
interface Document {
  openapi: string;
  servers?: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** The API document of the real app with every provider pipeline registered, read over HTTP. */
describe('the API document', () => {
  let api: ApiHarness;
  let document: Document;
  beforeAll(async () => {
    api = await startApiHarness({}, registeredPipelines());
    const response = await api.app.inject({ method: 'GET', url: '/internal/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json<Document>();
  });
  afterAll(() => api.close());

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));

  it('is valid OpenAPI 3.1 with every $ref resolving', async () => {
    expect(document.openapi).toBe('3.1.0');
    // validate() dereferences: a $ref that does not resolve is an error.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    expect(JSON.stringify(document)).not.toContain('__shared');
  });

  it('passes the recommended lint rules with no error, and only the warnings the ADR explains', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`);
    expect(errors).toEqual([]);
    const warnings = problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} at ${p.location[0]?.pointer ?? ''}`);
    // ADR 14: a private service states no license, and the open probes take no input, so they have no 4xx answer.
    expect(warnings.sort()).toEqual([
      'info-license at #/info',
      'operation-4xx-response at #/paths/~1internal~1v1~1health~1live/get/responses',
      'operation-4xx-response at #/paths/~1internal~1v1~1health~1ready/get/responses',
    ]);
  });

  it('gives every operation an id, a summary and described responses; errors are problem documents with X-Request-Id', () => {
    const ids = new Set<string>();
    for (const { path, method, operation } of operations()) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
      expect(ids.has(operation.operationId ?? ''), where).toBe(false);
      ids.add(operation.operationId ?? '');
      expect(operation.summary, where).toBeTruthy();
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(response.description, `${where} ${status}`).not.toBe('Default Response');
        expect(Object.keys(response.headers ?? {}), `${where} ${status}`).toContain('X-Request-Id');
        if (Number(status) >= 400) expect(Object.keys(response.content ?? {}), `${where} ${status}`).toEqual(['application/problem+json']);
      }
    }
    expect(document.servers).toHaveLength(1);
  });

  it('shows the health routes as open and every other route as needing the token', () => {
    for (const { path, operation } of operations()) {
      if (path.includes('/health/')) expect(operation.security, path).toEqual([]);
      else expect(operation.security, path).toBeUndefined();
    }
  });

  it('documents the enqueue body per pipeline, Location and Idempotent-Replayed, and the snapshot body as bytes', () => {
    const enqueue = document.paths['/internal/v1/jobs']?.post;
    const body = enqueue?.requestBody?.content['application/json']?.schema as { oneOf: { properties: { pipeline: { enum: string[] } } }[]; discriminator: unknown };
    expect(body.discriminator).toEqual({ propertyName: 'pipeline' });
    expect(body.oneOf.map((member) => member.properties.pipeline.enum[0]).sort()).toEqual(
      ['system.noop', ...registeredPipelines().map((p) => p.name)].sort(),
    );
    expect(Object.keys(enqueue?.responses['201']?.headers ?? {})).toContain('Location');
    expect(Object.keys(enqueue?.responses['200']?.headers ?? {})).toEqual(expect.arrayContaining(['Location', 'Idempotent-Replayed']));
    const snapshotBody = document.paths['/internal/v1/snapshots/{id}/body']?.get?.responses['200'];
    expect(snapshotBody?.content).toEqual({ '*/*': { schema: expect.objectContaining({ type: 'string', format: 'binary' }) as unknown } });
  });

  it("documents each pipeline's scope filters on its own latest-publications route", () => {
    const catalog = document.paths['/internal/v1/publications/latest/smoothcomp.event_catalog']?.get;
    expect(catalog?.parameters?.map((p) => p.name).sort()).toEqual(['country', 'end_date', 'event_type', 'host', 'limit', 'start_date']);
  });
});
