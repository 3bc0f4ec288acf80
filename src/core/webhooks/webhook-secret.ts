/** The Standard Webhooks secret form: `whsec_` then the base64 of the key's bytes. */
export const SECRET_PREFIX = 'whsec_';
/** Bytes of a generated secret, and the bounds a given one must fall within. */
export const GENERATED_SECRET_BYTES = 32;
export const MIN_SECRET_BYTES = 24;
export const MAX_SECRET_BYTES = 64;

export function formatSecret(bytes: Uint8Array): string {
  return `${SECRET_PREFIX}${Buffer.from(bytes).toString('base64')}`;
}

/** The key's bytes, or why the text is not a usable secret. */
export function parseSecret(text: string): { ok: true; key: Uint8Array } | { ok: false; message: string } {
  if (!text.startsWith(SECRET_PREFIX)) return { ok: false, message: `must start with ${SECRET_PREFIX}` };
  const encoded = text.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    return { ok: false, message: `must be ${SECRET_PREFIX} followed by standard base64` };
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    return { ok: false, message: `must decode to ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes (got ${key.length})` };
  }
  return { ok: true, key };
}
