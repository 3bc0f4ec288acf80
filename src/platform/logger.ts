import pino, { type Logger } from 'pino';

/** Fields that may carry secrets; pino replaces their values before a line is written. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'dsn',
  '*.dsn',
  'connectionString',
  '*.connectionString',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ingestion-adapter' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A DSN fit for a log line: the password replaced. */
export function redactDsn(dsn: string): string {
  try {
    const url = new URL(dsn);
    if (url.password !== '') url.password = 'redacted';
    return url.toString();
  } catch {
    return dsn.includes('@') ? '[unparseable dsn redacted]' : dsn;
  }
}
