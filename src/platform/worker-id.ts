import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** Unique per process: host, pid and a random suffix, so a restarted process never reuses an id. */
export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
