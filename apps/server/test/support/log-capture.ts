import { createLogger, type Logger } from '../../src/logger';

export interface LogEntry {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

export interface CapturedLogger {
  logger: Logger;
  /** Every line written, exactly as pino wrote it. */
  lines: string[];
  /** The lines parsed as JSON. */
  entries(): LogEntry[];
  /** Entries whose message contains `text`. */
  find(text: string): LogEntry[];
}

/** A pino logger (with the server's redaction rules) that keeps its output in memory. */
export function captureLogs(level = 'info'): CapturedLogger {
  const lines: string[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(line) });
  const entries = () => lines.map((line) => JSON.parse(line) as LogEntry);
  return {
    logger,
    lines,
    entries,
    find: (text) => entries().filter((e) => typeof e.msg === 'string' && e.msg.includes(text)),
  };
}
