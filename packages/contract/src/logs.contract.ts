import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { ErrorEnvelopeSchema, IdPathSchema } from './common.schemas';
import {
  ListLogsQuerySchema,
  LogChangesQuerySchema,
  LogChangesResponseSchema,
  LogListResponseSchema,
  LogResponseSchema,
} from './logs.schemas';

const c = initContract();
const scope = 'logs:read' as const;

export const logsContract = c.router({
  listLogs: {
    method: 'GET',
    path: '/logs',
    query: ListLogsQuerySchema,
    responses: { 200: LogListResponseSchema },
    summary: 'List audit events',
    description:
      'Normalized Microsoft 365 audit and activity events, newest first by `discoveredAt` (ties broken by id). Page with `cursor`. For incremental polling prefer `GET /logs/changes`, which cannot miss or repeat events. `include=rawData` adds the raw provider record of each event.',
    metadata: { scope },
  },
  // Declared before /logs/{id} so that "changes" is never taken for an id.
  listLogChanges: {
    method: 'GET',
    path: '/logs/changes',
    query: LogChangesQuerySchema,
    responses: { 200: LogChangesResponseSchema },
    summary: 'Follow new audit events (changes feed)',
    description:
      'Every audit event in commit order, exactly once, for incremental sync. Omit `cursor` on the first call (optionally set `from`); then always send the returned `nextCursor`, which is never null. When `hasMore` is false you have caught up: store `nextCursor` and call again on your next poll. `include=rawData` adds the raw provider record of each event.',
    metadata: { scope },
  },
  getLog: {
    method: 'GET',
    path: '/logs/:id',
    pathParams: z.object({ id: IdPathSchema }),
    responses: { 200: LogResponseSchema, 404: ErrorEnvelopeSchema },
    summary: 'Get one audit event, with its raw record',
    description:
      "One audit event by id, with the provider record it was normalised from (`rawData`: for Microsoft 365 events the full Office 365 audit record). 404 if the id is not one of your tenant's events.",
    metadata: { scope },
  },
});
