import type { ErrorDetail } from '@1security/contract';
import { RequestValidationError } from '@ts-rest/express';
import type { NextFunction, Request, Response } from 'express';
import type { ZodError } from 'zod';
import type { Logger } from '../logger';
import { ApiError, errors } from './api-error';
import { isDatabaseUnavailable } from './database-errors';
import { redactSecrets } from './redact-secrets';

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
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) return next(err);
    let apiError: ApiError;
    if (err instanceof ApiError) apiError = err;
    else if (err instanceof RequestValidationError) apiError = toValidationError(err);
    else if (isDatabaseUnavailable(err)) {
      logger.warn({ err: (err as Error).message, reqId: req.id }, 'database unavailable');
      apiError = errors.unavailable();
    } else if (isClientHttpError(err)) {
      apiError =
        err.status === 404 ? errors.notFound() : errors.validation([{ parameter: 'request', message: 'is malformed' }]);
    } else {
      logger.error({ err, reqId: req.id }, 'unhandled error');
      apiError = errors.internal();
    }
    if (apiError.code === 'SERVICE_UNAVAILABLE') res.setHeader('Retry-After', 5);
    res.status(apiError.status).json(apiError.toEnvelope(String(req.id)));
  };
}
