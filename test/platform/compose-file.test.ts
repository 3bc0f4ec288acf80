import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/run-app.js';

/** The service's block of docker-compose.yml: from `  name:` to the next top-level service. */
function serviceBlock(name: string): string {
  const text = readFileSync(`${PROJECT_ROOT}docker-compose.yml`, 'utf8');
  const match = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(text);
  if (match?.[1] === undefined) throw new Error(`no ${name} service in docker-compose.yml`);
  return match[1];
}

/** No container engine runs here, so the compose file's promises are checked against the code's. */
describe('docker-compose.yml', () => {
  it("checks each worker's health on the port and route the worker serves, from inside the container", () => {
    const worker = serviceBlock('worker');
    const port = /WORKER_HTTP_PORT: "([0-9]+)"/.exec(worker)?.[1];
    expect(port).toBeDefined();
    expect(worker).toMatch(/WORKER_HTTP_HOST: 127\.0\.0\.1/);
    // The runtime image has node but no curl.
    expect(worker).toContain(`healthcheck:\n      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/health/ready')`);
  });

  it('gives the API and every worker the same drop folder, under ./storage/ on the host', () => {
    const text = readFileSync(`${PROJECT_ROOT}docker-compose.yml`, 'utf8');
    const incoming = /^ {2}STATIC_DATASET_INCOMING_DIR: (\S+)$/m.exec(text)?.[1];
    expect(incoming).toBe('/app/storage/static-dataset/incoming');
    for (const name of ['api', 'worker']) {
      const block = serviceBlock(name);
      expect(block, name).toMatch(/<<: \[\*database, \*drops\]/);
      expect(block, name).toContain('- ./storage/static-dataset:/app/storage/static-dataset');
    }
  });
});
