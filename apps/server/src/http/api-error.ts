import {
  DASHBOARD_ERROR_STATUS,
  type DashboardErrorCode,
  type DashboardErrorEnvelope,
  type ErrorDetail,
} from '@1security/contract';

/**
 * The one error type handlers throw; the error middleware renders it as the envelope. The
 * public API's codes, and the few only the dashboard API uses (MFA_REQUIRED, CONFLICT…).
 */
export class ApiError extends Error {
  constructor(
    readonly code: DashboardErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return DASHBOARD_ERROR_STATUS[this.code];
  }

  toEnvelope(requestId: string): DashboardErrorEnvelope {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details && this.details.length > 0 ? { details: this.details } : {}),
        requestId,
      },
    };
  }
}

export const UNAUTHENTICATED_MESSAGE = 'Invalid, expired, or revoked API key.';

export const errors = {
  unauthenticated: () => new ApiError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE),
  forbidden: (scope: string) => new ApiError('FORBIDDEN', `This API key lacks the ${scope} scope.`),
  notFound: (what = 'No such route.') => new ApiError('NOT_FOUND', what),
  rateLimited: (retryAfter: number) =>
    new ApiError('RATE_LIMITED', `Rate limit exceeded. Retry after ${retryAfter} seconds.`),
  invalidCursor: (why: string) => new ApiError('INVALID_CURSOR', why),
  validation: (details: ErrorDetail[]) =>
    new ApiError('VALIDATION_ERROR', 'The request has invalid parameters; see details.', details),
  unavailable: () => new ApiError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable. Retry with backoff.'),
  internal: () => new ApiError('INTERNAL', 'An unexpected error occurred. Quote the requestId to support.'),
};
