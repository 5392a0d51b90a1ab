import type { ErrorDetail } from '@1security/contract';
import type { NextFunction, Request, Response } from 'express';
import { errors } from './api-error';

/** Whether a parsed parameter (a string, or qs's nested objects and arrays, keys included) holds U+0000. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || containsNul(inner, depth + 1));
}

/**
 * PostgreSQL text cannot hold U+0000: a `%00` in a filter or an id would reach the database
 * and fail there as a 500. No stored value can contain it, so it is the caller's mistake:
 * 400 VALIDATION_ERROR naming the parameter, before any query runs.
 */
export function rejectNulCharacters(req: Request, _res: Response, next: NextFunction): void {
  const details: ErrorDetail[] = [];
  for (const [name, value] of Object.entries(req.params ?? {})) {
    if (containsNul(value)) details.push({ parameter: name, message: 'must not contain the NUL character (%00)' });
  }
  for (const [name, value] of Object.entries((req.query ?? {}) as Record<string, unknown>)) {
    if (name.includes('\u0000') || containsNul(value)) {
      details.push({
        parameter: name.split('\u0000').join('').slice(0, 64),
        message: 'must not contain the NUL character (%00)',
      });
    }
  }
  next(details.length > 0 ? errors.validation(details) : undefined);
}
