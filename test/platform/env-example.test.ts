import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';
import { PROJECT_ROOT } from '../support/run-app.js';

/** The variables .env.example sets or mentions, and the values it sets. */
function readEnvExample(): { names: Set<string>; values: Record<string, string> } {
  const text = readFileSync(`${PROJECT_ROOT}.env.example`, 'utf8');
  const names = new Set<string>();
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^(#\s*)?([A-Z][A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[2] === undefined) continue;
    names.add(match[2]);
    if (match[1] === undefined) values[match[2]] = match[3] ?? '';
  }
  return { names, values };
}

describe('.env.example', () => {
  it('documents every variable the configuration reads, and its values load as they are', () => {
    const { names, values } = readEnvExample();
    const readme = readFileSync(`${PROJECT_ROOT}README.md`, 'utf8');
    const source = readFileSync(`${PROJECT_ROOT}src/platform/config.ts`, 'utf8');
    const read = new Set([...source.matchAll(/^ {4}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(20);
    for (const name of read) {
      expect(names, `${name} missing from .env.example`).toContain(name);
      expect(readme, `${name} missing from the README`).toContain(name);
    }
    expect(() => loadConfig(values)).not.toThrow();
  });
});
