import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import {
  changesQuerySchema,
  listQuerySchema,
  SEVERITIES,
  SeveritySchema,
  enumListQuery,
  itemEnvelope,
  listEnvelope,
  stringListQuery,
  timestampField,
} from './common.schemas';

export const ACTOR_TYPES = ['user', 'admin', 'application', 'servicePrincipal', 'system', 'guest', 'unknown'] as const;
export const ActorTypeSchema = extendApi(z.enum(ACTOR_TYPES), { description: 'What kind of identity acted.' });
export type ActorType = z.infer<typeof ActorTypeSchema>;

/** One normalized Microsoft 365 audit event. */
export const LogEventSchema = extendApi(
  z.object({
    id: z.string().describe('Unique id of the event (a ULID).'),
    occurredAt: timestampField('When the activity happened (UTC).'),
    discoveredAt: timestampField('When 1Security ingested the event (UTC). Lists sort and window on this.'),
    action: z.string().describe('The operation, as Microsoft 365 names it (e.g. FileDownloaded, UserLoggedIn).'),
    severity: SeveritySchema,
    actorName: z.string().describe('Who acted: a UPN, an app name, or a service identity.'),
    actorType: ActorTypeSchema,
    actorIp: z.string().nullable().describe('Client IP address, when Microsoft 365 recorded one.'),
    resourceName: z
      .string()
      .nullable()
      .describe('The object acted on (file, mailbox, user, policy…), when there is one.'),
    resourceType: z
      .string()
      .describe(
        'Kind of object acted on: file, folder, site, mailbox, message, user, group, application, policy, team…',
      ),
    workload: z
      .string()
      .describe('The Microsoft 365 workload: SharePoint, OneDrive, Exchange, AzureActiveDirectory, MicrosoftTeams…'),
    applicationDisplayName: z
      .string()
      .nullable()
      .describe('The application through which the action was taken, when known.'),
  }),
  {
    title: 'LogEvent',
    example: {
      id: '01J2Z3K4M5N6P7Q8R9S0T1V2W3',
      occurredAt: '2026-06-05T09:12:44.000Z',
      discoveredAt: '2026-06-05T09:13:01.000Z',
      action: 'FileDownloaded',
      severity: 'high',
      actorName: 'jane@contoso.com',
      actorType: 'user',
      actorIp: '20.42.73.5',
      resourceName: 'Q3-forecast.xlsx',
      resourceType: 'file',
      workload: 'SharePoint',
      applicationDisplayName: 'Microsoft SharePoint',
    },
  },
);
export type LogEvent = z.infer<typeof LogEventSchema>;

/** Filters shared by the list and the changes feed. */
export const LogFiltersShape = {
  severity: enumListQuery(SEVERITIES, 'Only events of these severities.'),
  action: stringListQuery('Only these operations (exact, case-sensitive), e.g. FileDownloaded,FileDeleted.', [
    'FileDownloaded',
    'FileDeleted',
  ]),
  workload: stringListQuery('Only events from these workloads, e.g. SharePoint,Exchange.', ['SharePoint', 'OneDrive']),
  actorType: enumListQuery(ACTOR_TYPES, 'Only events by these kinds of actor.'),
  resourceType: stringListQuery('Only events on these kinds of object, e.g. file,folder.', ['file', 'folder']),
  actor: extendApi(z.string().min(1).max(320).optional(), {
    description: 'Only events by this actor: the exact actorName, compared case-insensitively.',
    example: 'jane@contoso.com',
  }),
};

export const ListLogsQuerySchema = listQuerySchema(LogFiltersShape, 'events', 'discovered');
export type ListLogsQuery = z.infer<typeof ListLogsQuerySchema>;

export const LogChangesQuerySchema = changesQuerySchema(LogFiltersShape, 'events', 'discovered');
export type LogChangesQuery = z.infer<typeof LogChangesQuerySchema>;

export const LogListResponseSchema = listEnvelope(LogEventSchema, 'LogEventList', 'A page of audit events.');
export const LogChangesResponseSchema = listEnvelope(
  LogEventSchema,
  'LogEventChanges',
  'Audit events committed since the cursor, in commit order. Store `nextCursor` (never null) and send it on the next poll.',
);
export const LogResponseSchema = itemEnvelope(LogEventSchema, 'LogEventResponse', 'One audit event.');
