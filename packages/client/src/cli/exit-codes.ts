import { ApiConnectionError, ApiError } from '../api-error';

/** `onesec`'s exit statuses; the docs list them from here. */
export const EXIT_CODES = {
  OK: { code: 0, meaning: 'Done: caught up (or stopped by SIGTERM/SIGINT after saving the checkpoint).' },
  FAILURE: { code: 1, meaning: 'An unexpected error (a bug, or a fault not listed here).' },
  USAGE: { code: 2, meaning: 'Bad command line: unknown command, flag or value, or ONESEC_API_KEY not set.' },
  AUTH: { code: 3, meaning: 'The API refused the key (401) or the key lacks a scope the command needs (403).' },
  OUTPUT_UNREACHABLE: {
    code: 4,
    meaning:
      'The output stayed unreachable or kept failing after the retries, or failed in a way no retry cures (a directory, a missing folder, no permission); the checkpoint was not advanced.',
  },
  API_UNAVAILABLE: {
    code: 5,
    meaning: "The API stayed unreachable or kept answering 429/5xx after the client's retries.",
  },
  CHECKPOINT: {
    code: 6,
    meaning:
      'The checkpoint file cannot be used: unreadable, not a checkpoint file, its lock cannot be created, or its cursor was rejected (400 INVALID_CURSOR).',
  },
  CHECKPOINT_LOCKED: {
    code: 7,
    meaning: 'Another running onesec sync holds the checkpoint (its <checkpoint>.lock names a live process).',
  },
} as const;

export type ExitName = keyof typeof EXIT_CODES;

/** An error that ends the command with a given exit status and a message for stderr. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exit: ExitName,
    message: string,
  ) {
    super(message);
  }
}

/** Any error → the exit status and a one-line message. Never includes the API key: nothing here reads it. */
export function classifyError(err: unknown): { exit: ExitName; message: string } {
  if (err instanceof CliError) return { exit: err.exit, message: err.message };
  if (err instanceof ApiError) {
    const where = err.requestId ? ` (requestId ${err.requestId})` : '';
    const details = err.details?.length ? `: ${err.details.map((d) => `${d.parameter} ${d.message}`).join('; ')}` : '';
    const text = `API answered ${err.status} ${err.code}: ${err.message}${details}${where}`;
    if (err.status === 401 || err.status === 403) return { exit: 'AUTH', message: text };
    if (err.code === 'INVALID_CURSOR') {
      return {
        exit: 'CHECKPOINT',
        message: `${text}. The checkpoint does not fit these filters or this key's tenant; use another --checkpoint file.`,
      };
    }
    if (err.code === 'VALIDATION_ERROR') return { exit: 'USAGE', message: text };
    return { exit: 'API_UNAVAILABLE', message: text };
  }
  if (err instanceof ApiConnectionError) return { exit: 'API_UNAVAILABLE', message: err.message };
  if (err instanceof Error && /^Checkpoint file /.test(err.message))
    return { exit: 'CHECKPOINT', message: err.message };
  return { exit: 'FAILURE', message: err instanceof Error ? err.message : String(err) };
}
