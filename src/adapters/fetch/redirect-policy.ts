import { JobError } from '../../core/job-error.js';
import { isHostAllowed } from '../../core/pipeline.js';

/**
 * Where a redirect may lead, as the URL the next hop means (its host is the one the allowlist,
 * the throttle and X-Forwarded-Host see).
 *
 * Without an origin override, the target keeps the scheme and the port of the hop it came from (no
 * https→http downgrade, no http→https either, no hop to an odd port such as :9998) and its host must
 * be on the allowlist. With an origin override (a replay server), the override origin is the only
 * place a request may go: the Location, read against where the request was actually sent, must name
 * that origin; the path and query move, the intended host stays.
 */
export function redirectTarget(options: {
  location: string;
  /** The URL the current hop means. */
  current: URL;
  /** Where the current hop was actually sent (the same as `current` without an override). */
  sentTo: URL;
  allowedHosts: readonly string[];
  overrideOrigin: string | undefined;
}): URL {
  const { location, current, sentTo, allowedHosts, overrideOrigin } = options;
  const next = parseLocation(location, sentTo);
  if (overrideOrigin !== undefined) {
    const only = new URL(overrideOrigin).origin;
    if (next.origin !== only) refuse(`redirect to ${next.origin} refused: with the origin override only ${only} is fetched`);
    return new URL(`${next.pathname}${next.search}`, current.origin);
  }
  if (next.protocol !== current.protocol) {
    refuse(`redirect from ${current.protocol}// to ${next.protocol}//${next.host} refused: a redirect keeps the scheme`);
  }
  if (effectivePort(next) !== effectivePort(current)) {
    refuse(`redirect to ${next.host} refused: a redirect keeps the port (${effectivePort(current)}), not ${effectivePort(next)}`);
  }
  if (!isHostAllowed(next.hostname, allowedHosts)) refuse(`redirect to ${next.hostname} refused: not on this pipeline's host allowlist`);
  return next;
}

function parseLocation(location: string, base: URL): URL {
  try {
    return new URL(location, base);
  } catch {
    return refuse(`redirect refused: unreadable Location ${JSON.stringify(location.slice(0, 200))}`);
  }
}

function effectivePort(url: URL): string {
  if (url.port !== '') return url.port;
  return url.protocol === 'https:' ? '443' : '80';
}

function refuse(message: string): never {
  throw new JobError('validation', 'REDIRECT_NOT_ALLOWED', message, { retryable: false });
}
