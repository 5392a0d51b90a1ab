import { pino, type Logger } from 'pino';

export type { Logger };

/** Headers that carry secrets; pino writes "[Redacted]" in their place. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'secret',
  '*.secret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[Redacted]' } }, destination);
}
