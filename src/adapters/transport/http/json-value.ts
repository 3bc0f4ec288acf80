import { z } from 'zod';
import type { JsonValue } from '../../../core/job.js';

/**
 * Any JSON value, as one named component. It refers to itself by the registered schema, so the
 * document's recursion goes through `#/components/schemas/JsonValue` (z.json() refers to an
 * anonymous inner schema, which the generator can only emit as a reference that does not resolve).
 */
export const jsonValueSchema: z.ZodType<JsonValue> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]))
  .meta({ id: 'JsonValue', description: 'Any JSON value' });

/** A JSON object: scope, params, counters, envelopes. */
export const jsonObjectSchema = z.record(z.string(), jsonValueSchema);
