import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { JobError } from '../../src/core/job-error.js';
import type { NormalizedContent } from '../../src/core/pipeline.js';
import { DEFAULT_ESPN_OPTIONS } from '../../src/adapters/espn/espn-scope.js';
import { createGameSummaryPipeline } from '../../src/adapters/espn/game-summary/game-summary-pipeline.js';
import { createScoreboardPipeline } from '../../src/adapters/espn/scoreboard/scoreboard-pipeline.js';
import { PROJECT_ROOT } from '../support/run-app.js';
import { asFetched, espnFixture } from './fixtures.js';

const scoreboard = createScoreboardPipeline(DEFAULT_ESPN_OPTIONS);
const summary = createGameSummaryPipeline(DEFAULT_ESPN_OPTIONS);
const boardScope = { sport: 'basketball', league: 'nba' };
const gameScope = { sport: 'basketball', league: 'nba', event_id: '401800001' };

const parsers: [string, (text: string) => NormalizedContent][] = [
  ['scoreboard', (text) => scoreboard.normalize({ scope: boardScope, parsed: scoreboard.parse({ scope: boardScope, fetched: [asFetched(text, 'espn_scoreboard')] }) })],
  ['summary', (text) => summary.normalize({ scope: gameScope, parsed: summary.parse({ scope: gameScope, fetched: [asFetched(text, 'espn_game_summary')] }) })],
];

/** Content, or a classified parse error; never another exception, never a summary without its game. */
function expectContentOrParseError(name: string, parse: (text: string) => NormalizedContent, text: string): 'content' | 'error' {
  let content: NormalizedContent;
  try {
    content = parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).category).toBe('parse');
    return 'error';
  }
  if (name === 'summary') expect(content.records).toHaveLength(1);
  // Only a scoreboard that says so (an empty events array) may have no records.
  else if (content.records.length === 0) expect((JSON.parse(text) as { events: unknown[] }).events).toEqual([]);
  return 'content';
}

const fixtures = ['scoreboard', 'summary'].flatMap((folder) => readdirSync(`${PROJECT_ROOT}testdata/espn/${folder}`).map((file) => `${folder}/${file}`));

describe('every ESPN parser, fed anything', () => {
  it('random JSON values: a parse error or content', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const [name, parse] of parsers) expectContentOrParseError(name, parse, JSON.stringify(value));
      }),
      { numRuns: 300 },
    );
  });

  it('random text: a parse error', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        for (const [name, parse] of parsers) expectContentOrParseError(name, parse, text);
      }),
      { numRuns: 300 },
    );
  });

  it('every fixture cut short: a parse error', () => {
    for (const file of fixtures) {
      const text = espnFixture(file).trimEnd();
      fc.assert(
        fc.property(fc.integer({ min: 0, max: text.length - 1 }), (cut) => {
          for (const [name, parse] of parsers) expect(expectContentOrParseError(name, parse, text.slice(0, cut))).toBe('error');
        }),
        { numRuns: 40 },
      );
    }
  });

  it('fixtures with random members replaced: a parse error or content', () => {
    const summaryText = espnFixture('summary/nba-401800001-in-2.json');
    const boardText = espnFixture('scoreboard/nba-20261201-in.json');
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (junk, pick) => {
        for (const [text, index] of [[summaryText, 1], [boardText, 0]] as const) {
          const paths: (string | number)[][] = [];
          const walk = (node: unknown, path: (string | number)[]) => {
            if (typeof node !== 'object' || node === null) return;
            for (const [key, child] of Object.entries(node)) {
              const next = [...path, Array.isArray(node) ? Number(key) : key];
              paths.push(next);
              walk(child, next);
            }
          };
          const document = JSON.parse(text) as Record<string, unknown>;
          walk(document, []);
          const path = paths[pick % paths.length] ?? [];
          let parent: Record<string | number, unknown> = document;
          for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
          const last = path.at(-1);
          if (last !== undefined) parent[last] = junk;
          const [name, parse] = parsers[index] ?? parsers[0] ?? ['', () => ({ records: [] })];
          expectContentOrParseError(name, parse, JSON.stringify(document));
        }
      }),
      { numRuns: 300 },
    );
  });
});
