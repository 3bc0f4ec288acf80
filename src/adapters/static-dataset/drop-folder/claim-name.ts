import { randomBytes } from 'node:crypto';

/**
 * A file claimed into the processing folder is renamed `<sha256>~<token>~<name>`: the content it
 * was hashed as (the job's idempotency key), a token unique to the claim, and the name it was dropped
 * as. Everything needed to recover it after a crash is in its name.
 */
export interface ClaimName {
  sha256: string;
  token: string;
  fileName: string;
}

const PATTERN = /^([0-9a-f]{64})~([0-9a-z]{8,40})~([^/\\]{1,255})$/;

export function newClaimToken(now: Date = new Date()): string {
  return `${now.getTime().toString(36)}${randomBytes(6).toString('hex')}`;
}

export function formatClaimName(claim: ClaimName): string {
  return `${claim.sha256}~${claim.token}~${claim.fileName}`;
}

export function parseClaimName(name: string): ClaimName | undefined {
  const match = PATTERN.exec(name);
  if (match === null || name.includes('\u0000')) return undefined;
  const [, sha256 = '', token = '', fileName = ''] = match;
  if (fileName === '.' || fileName.startsWith('.')) return undefined;
  return { sha256, token, fileName };
}

/** The URL a static_dataset job reads its file from. */
export function dropUrl(claimName: string): string {
  return `drop:${encodeURIComponent(claimName)}`;
}

export function claimNameOfUrl(url: string): string | undefined {
  if (!url.startsWith('drop:')) return undefined;
  try {
    return decodeURIComponent(url.slice('drop:'.length));
  } catch {
    return undefined;
  }
}
