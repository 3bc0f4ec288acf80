import { redactQuery } from '../logger.js';

/**
 * A server span's name: the method and the route template (`GET /internal/v1/jobs/:id`), so every
 * request of a route shares one name and no id reaches it; the method alone when no route matched.
 */
export function serverSpanName(method: string, route: string | undefined): string {
  return route === undefined || route === '' ? method : `${method} ${route}`;
}

/** `url.path` and `url.query` of a request target (`/path?query`), credential-looking query values replaced. */
export function requestTargetAttributes(target: string): { 'url.path': string; 'url.query'?: string } {
  const q = target.indexOf('?');
  if (q === -1) return { 'url.path': target };
  return { 'url.path': target.slice(0, q), 'url.query': redactQuery(target.slice(q + 1)) };
}

/**
 * `url.full` and `url.query` of an outgoing request, as the log lines show them: credential-looking
 * query values replaced, and a password in the URL too. Undefined if the URL does not parse.
 */
export function outgoingUrlAttributes(origin: string, path: string): { 'url.full': string; 'url.query': string } | undefined {
  let url: URL;
  try {
    url = new URL(path, origin);
  } catch {
    return undefined;
  }
  if (url.password !== '') url.password = 'redacted';
  url.hash = '';
  const query = redactQuery(url.search.slice(1));
  url.search = '';
  return { 'url.full': query === '' ? url.toString() : `${url.toString()}?${query}`, 'url.query': query };
}
