import type { ErrorDetail } from '@1security/contract';
import { RequestValidationError } from '@ts-rest/express';
import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import type { ServerMetrics } from '../metrics/server-metrics';
import { ApiError, errors } from './api-error';
import { isDatabaseUnavailable } from './database-errors';
import { redactSecrets } from './redact-secrets';
import { isRequestLevelEnabled, requestLogger } from './request-log';

/** An error PostgreSQL (or PGlite) raised for a statement: it carries a five-character SQLSTATE. */
function isDatabaseError(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}

function detailsOf(zodError: ZodError | null, location: string): ErrorDetail[] {
  if (!zodError) return [];
  return zodError.issues.flatMap((issue): ErrorDetail[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        parameter: key.slice(0, 64),
        message: `is not a ${location} parameter of this endpoint`,
      }));
    }
    const parameter = String(issue.path[0] ?? location);
    return [{ parameter, message: issue.message }];
  });
}

/**
 * ts-rest's request validation failure → 400 VALIDATION_ERROR naming every bad parameter.
 * Messages may quote the value received: never a key secret pasted into the URL.
 */
export function toValidationError(err: RequestValidationError): ApiError {
  return errors.validation(
    [
      ...detailsOf(err.pathParams, 'path'),
      ...detailsOf(err.query, 'query'),
      ...detailsOf(err.headers, 'header'),
      ...detailsOf(err.body, 'body'),
    ].map((detail) => ({
      ...detail,
      parameter: redactSecrets(detail.parameter),
      message: redactSecrets(detail.message),
    })),
  );
}

/** Express body-parser and similar errors carry an HTTP status and are the client's fault. */
export function isClientHttpError(err: unknown): err is { status: number; message: string } {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * The last middleware: renders every error as the envelope. Database outages become 503;
 * anything unexpected becomes a bare 500 (logged in full here, never sent to the client).
 */
export function errorHandler(metrics: Pick<ServerMetrics, 'databaseError'>) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof RequestValidationError) apiError = toValidationError(err);
    else if (isDatabaseUnavailable(err)) {
      metrics.databaseError('unavailable');
      requestLogger(req).warn({ err: (err as Error).message }, 'database unavailable');
      apiError = errors.unavailable();
    } else if (isClientHttpError(err)) {
      apiError =
        err.status === 404 ? errors.notFound() : errors.validation([{ parameter: 'request', message: 'is malformed' }]);
    } else {
      if (isDatabaseError(err)) metrics.databaseError('statement');
      requestLogger(req).error({ err }, 'unhandled error');
      apiError = errors.internal();
    }
    if (apiError.status < 500) {
      // Why a request was refused, for whoever follows one request id through the logs.
      if (isRequestLevelEnabled(req, 'debug')) requestLogger(req).debug({ code: apiError.code }, 'request refused');
    }
    if (apiError.code === 'SERVICE_UNAVAILABLE') res.setHeader('Retry-After', 5);
    res.status(apiError.status).json(apiError.toEnvelope(String(req.id)));
  };
}
