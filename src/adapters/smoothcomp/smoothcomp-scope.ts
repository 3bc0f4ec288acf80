import { z } from 'zod';

/** smoothcomp.com, its organiser subdomains (adcc., ibjjf., naga., …) and ajptour.com, on the same platform. */
export const SMOOTHCOMP_ALLOWED_HOSTS = ['smoothcomp.com', '.smoothcomp.com', 'ajptour.com'] as const;

/**
 * A host in a scope is checked twice: by this pattern (so a scope cannot name another site or
 * smuggle a port, path or credentials) and by the fetcher's allowlist.
 */
export const smoothcompHost = z
  .string()
  .toLowerCase()
  .regex(/^(smoothcomp\.com|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.smoothcomp\.com|ajptour\.com)$/, 'must be smoothcomp.com, one of its subdomains, or ajptour.com');

/** Numeric ids only, so an id can never steer a request to another path. */
export const numericId = z.string().regex(/^[1-9][0-9]{0,11}$/, 'must be a numeric id');

export const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code in capitals, e.g. US');

export const isoDate = z.iso.date();

/** Every Smoothcomp URL is built here: https, the scope's host, the /en/ locale. */
export function smoothcompUrl(host: string, path: string, query: Record<string, string | number | undefined> = {}): string {
  const url = new URL(`https://${host}/en/${path.replace(/^\//, '')}`);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  return url.toString();
}

/** A stored response body as text (Smoothcomp serves UTF-8). */
export function bodyText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8');
}
