import { dashboardContract, DashboardErrorEnvelopeSchema, type DashboardErrorCode } from '@1security/contract';
import { initClient } from '@ts-rest/core';

/**
 * The dashboard API (`/dashboard/api`), called through the typed client of its contract.
 * Same origin, so the browser sends the HttpOnly session cookie and the `Origin` header the
 * server's CSRF check wants; nothing here ever sees the cookie.
 */
export const api = initClient(dashboardContract, {
  baseUrl: '',
  baseHeaders: {},
  credentials: 'same-origin',
  throwOnUnknownStatus: false,
});

/** What went wrong with a call, in words fit for the page. */
export interface Problem {
  status: number;
  /** The API's error code, when it answered with its envelope. */
  code: DashboardErrorCode | undefined;
  message: string;
  /** One line per bad field, when the API named them (`name: must not be empty`). */
  details: string[];
  requestId: string | undefined;
}

/** Field names as the API reports them, in the words the forms use. */
const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  scopes: 'Scopes',
  expiresAt: 'Expiry',
  rateLimit: 'Rate limit',
  email: 'Email',
  password: 'Password',
  currentPassword: 'Current password',
  newPassword: 'New password',
  token: 'Link',
  totp: 'Authentication code',
  code: 'Authentication code',
  url: 'URL',
  description: 'Description',
  resources: 'Resources',
  filters: 'Filters',
  batchSize: 'Batch size',
  startFrom: 'Start from',
  from: 'Replay from',
};

/** The problem an error response describes: the API's envelope when it sent one. */
export function problemOf(response: { status: number; body: unknown }): Problem {
  const envelope = DashboardErrorEnvelopeSchema.safeParse(response.body);
  if (envelope.success) {
    const { code, message, details, requestId } = envelope.data.error;
    return {
      status: response.status,
      code,
      message,
      details: (details ?? []).map((d) => `${FIELD_LABELS[d.parameter] ?? d.parameter}: ${d.message}`),
      requestId,
    };
  }
  return {
    status: response.status,
    code: undefined,
    message:
      response.status >= 500
        ? `The server could not answer (HTTP ${response.status}). Try again in a moment.`
        : `The server answered HTTP ${response.status}.`,
    details: [],
    requestId: undefined,
  };
}

/** The problem for a request that got no answer at all. */
export function unreachable(): Problem {
  return {
    status: 0,
    code: undefined,
    message: 'The server could not be reached. Check your connection and try again.',
    details: [],
    requestId: undefined,
  };
}

/**
 * Runs one API call; a request that never got an answer (network down, server gone) becomes
 * a {@link Problem} like any error response, so pages handle a single shape.
 */
export async function call<R extends { status: number; body: unknown }>(
  request: () => Promise<R>,
): Promise<R | Unanswered> {
  try {
    return await request();
  } catch {
    return { status: 0, body: unreachable() };
  }
}

/** What {@link call} hands back for a request that got no answer. */
export interface Unanswered {
  status: 0;
  body: Problem;
}

/** Whether the server answered at all (whatever it said). */
export function answered<R extends { status: number }>(res: R | Unanswered): res is R {
  return res.status !== 0;
}

/** The problem behind any failed call, answered or not. */
export function failureOf(response: { status: number; body: unknown }): Problem {
  return response.status === 0 ? unreachable() : problemOf(response);
}

/** A problem the page finds itself, before asking the API (two passwords that differ). */
export function clientProblem(message: string): Problem {
  return { status: 0, code: undefined, message, details: [], requestId: undefined };
}
