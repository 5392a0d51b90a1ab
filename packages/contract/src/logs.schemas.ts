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

const logRawDataSchema = extendApi(z.record(z.unknown()).nullable(), {
  description:
    'The provider record exactly as ingested: for Microsoft 365 events the Office 365 Management Activity API record (UserAgent, ResultStatus, ExtendedProperties, ModifiedProperties…); for natively ingested events the `rawData` object they carried. Null when the event came without one, and for events stored before raw records were kept.',
});

const logEventShape = {
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
    .describe('Kind of object acted on: file, folder, site, mailbox, message, user, group, application, policy, team…'),
  workload: z
    .string()
    .describe('The Microsoft 365 workload: SharePoint, OneDrive, Exchange, AzureActiveDirectory, MicrosoftTeams…'),
  applicationDisplayName: z
    .string()
    .nullable()
    .describe('The application through which the action was taken, when known.'),
};

const logEventExample = {
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
};

/** One normalized Microsoft 365 audit event; `rawData` only when the page was asked for it. */
export const LogEventSchema = extendApi(
  z.object({
    ...logEventShape,
    rawData: extendApi(logRawDataSchema.optional(), {
      description: 'Only with `include=rawData`: the provider record exactly as ingested (see the detail endpoint).',
    }),
  }),
  {
    title: 'LogEvent',
    example: logEventExample,
  },
);
export type LogEvent = z.infer<typeof LogEventSchema>;

/** The event plus the provider record it was normalised from. */
export const LogEventDetailSchema = extendApi(z.object({ ...logEventShape, rawData: logRawDataSchema }), {
  title: 'LogEventDetail',
  example: {
    ...logEventExample,
    rawData: {
      CreationTime: '2026-06-05T09:12:44',
      Id: '4f5a1c2e-9b8d-4e7f-a6c3-0d2b1e9f8a7c',
      Operation: 'FileDownloaded',
      RecordType: 6,
      UserType: 0,
      Workload: 'SharePoint',
      ClientIP: '20.42.73.5',
      UserId: 'jane@contoso.com',
      UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
      ObjectId: 'https://contoso.sharepoint.com/sites/Finance/Shared Documents/Q3-forecast.xlsx',
    },
  },
});
export type LogEventDetail = z.infer<typeof LogEventDetailSchema>;

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
export const LogResponseSchema = itemEnvelope(
  LogEventDetailSchema,
  'LogEventResponse',
  'One audit event with the provider record it was normalised from.',
);
