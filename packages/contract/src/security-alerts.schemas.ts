import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import {
  changesQuerySchema,
  listQuerySchema,
  SEVERITIES,
  SeveritySchema,
  booleanQuery,
  enumListQuery,
  itemEnvelope,
  listEnvelope,
  timestampField,
} from './common.schemas';

export const SECURITY_ALERT_STATUSES = ['new', 'inProgress', 'resolved'] as const;
export const SECURITY_ALERT_CLASSIFICATIONS = [
  'unknown',
  'falsePositive',
  'truePositive',
  'informationalExpectedActivity',
] as const;
/** Microsoft Graph `alerts_v2` serviceSource values. */
export const SERVICE_SOURCES = [
  'microsoftDefenderForEndpoint',
  'microsoftDefenderForIdentity',
  'microsoftDefenderForCloudApps',
  'microsoftDefenderForOffice365',
  'microsoft365Defender',
  'azureAdIdentityProtection',
  'microsoftAppGovernance',
  'dataLossPrevention',
  'microsoftDefenderForCloud',
  'microsoftSentinel',
  'microsoftInsiderRiskManagement',
] as const;

export const SecurityAlertUserSchema = extendApi(
  z.object({ userPrincipalName: z.string().nullable(), displayName: z.string().nullable() }),
  { title: 'SecurityAlertUser', description: 'A user named in the alert evidence.' },
);
export const SecurityAlertGroupSchema = extendApi(z.object({ id: z.string(), displayName: z.string().nullable() }), {
  title: 'SecurityAlertGroup',
  description: 'A group named in the alert evidence.',
});
export const SecurityAlertEmailSchema = extendApi(
  z.object({
    subject: z.string().nullable(),
    sender: z.string().nullable(),
    recipient: z.string().nullable(),
    networkMessageId: z.string().nullable(),
  }),
  { title: 'SecurityAlertEmail', description: 'An email message named in the alert evidence.' },
);
export const SecurityAlertAppSchema = extendApi(
  z.object({ appId: z.string().nullable(), displayName: z.string().nullable() }),
  {
    title: 'SecurityAlertApp',
    description: 'An OAuth application named in the alert evidence.',
  },
);

const securityAlertShape = {
  id: z.string().describe('Unique id of the alert (a ULID).'),
  title: z.string().describe('The alert title, as the provider gave it.'),
  description: z.string().describe('What the provider detected.'),
  severity: SeveritySchema,
  status: extendApi(z.enum(SECURITY_ALERT_STATUSES), { description: 'Triage status, as in Microsoft Graph.' }),
  classification: extendApi(z.enum(SECURITY_ALERT_CLASSIFICATIONS).nullable(), {
    description: 'The analyst verdict, once given; null before.',
  }),
  category: z
    .string()
    .describe('The attack stage (MITRE ATT&CK tactic), e.g. InitialAccess, CredentialAccess, Exfiltration.'),
  mitreTechniques: extendApi(z.array(z.string()), {
    description:
      'The MITRE ATT&CK techniques the provider mapped the alert to (Graph alerts_v2 `mitreTechniques`), e.g. T1566.002; empty when none.',
    example: ['T1114.003', 'T1020'],
  }),
  threatDisplayName: z.string().nullable().describe('The threat the alert names, when there is one.'),
  firstActivityDateTime: timestampField('When the earliest activity in the alert happened.').nullable(),
  isResolved: z.boolean().describe('True exactly when status is `resolved`.'),
  users: z.array(SecurityAlertUserSchema),
  groups: z.array(SecurityAlertGroupSchema),
  emails: z.array(SecurityAlertEmailSchema),
  apps: z.array(SecurityAlertAppSchema),
  serviceSource: z.string().describe('The Microsoft service that raised the alert, e.g. microsoftDefenderForEndpoint.'),
  createdAt: timestampField('When the provider created the alert.'),
  updatedAt: timestampField('When the alert last changed. Lists sort and window on this.'),
};

const example = {
  id: '01J2Z3K4M5N6P7Q8R9S0T1V2W3',
  title: 'Suspicious inbox forwarding rule',
  description: 'A user created an inbox rule that forwards mail to an external address.',
  severity: 'high',
  status: 'new',
  classification: null,
  category: 'Exfiltration',
  mitreTechniques: ['T1114.003', 'T1020'],
  threatDisplayName: null,
  firstActivityDateTime: '2026-06-05T08:41:10.000Z',
  isResolved: false,
  users: [{ userPrincipalName: 'jane@contoso.com', displayName: 'Jane Doe' }],
  groups: [],
  emails: [],
  apps: [],
  serviceSource: 'microsoftDefenderForOffice365',
  createdAt: '2026-06-05T08:45:00.000Z',
  updatedAt: '2026-06-05T08:45:00.000Z',
};

const securityAlertRawDataSchema = extendApi(z.record(z.unknown()), {
  description: 'The provider payload exactly as ingested (a Graph alerts_v2 object).',
});

/**
 * A Microsoft Defender / Sentinel alert (modelled on Microsoft Graph alerts_v2); `rawData`
 * only when the page was asked for it.
 */
export const SecurityAlertSchema = extendApi(
  z.object({
    ...securityAlertShape,
    rawData: extendApi(securityAlertRawDataSchema.optional(), {
      description: 'Only with `include=rawData`: the provider payload exactly as ingested (see the detail endpoint).',
    }),
  }),
  { title: 'SecurityAlert', example },
);
export type SecurityAlert = z.infer<typeof SecurityAlertSchema>;

/** The list item plus the provider payload and recommended actions. */
export const SecurityAlertDetailSchema = extendApi(
  z.object({
    ...securityAlertShape,
    rawData: securityAlertRawDataSchema,
    recommendedActions: z.string().describe('What the provider recommends doing, as text.'),
  }),
  {
    title: 'SecurityAlertDetail',
    example: { ...example, rawData: { id: 'da637…', providerAlertId: '…' }, recommendedActions: '1. Review the rule…' },
  },
);
export type SecurityAlertDetail = z.infer<typeof SecurityAlertDetailSchema>;

export const SecurityAlertFiltersShape = {
  severity: enumListQuery(SEVERITIES, 'Only alerts of these severities.'),
  status: enumListQuery(SECURITY_ALERT_STATUSES, 'Only alerts in these statuses.'),
  classification: enumListQuery(SECURITY_ALERT_CLASSIFICATIONS, 'Only alerts with these classifications.'),
  serviceSource: enumListQuery(SERVICE_SOURCES, 'Only alerts raised by these services.'),
  isResolved: booleanQuery("Only resolved (`true`) or unresolved (`false`) alerts. Exactly 'true' or 'false'."),
};

export const ListSecurityAlertsQuerySchema = listQuerySchema(SecurityAlertFiltersShape, 'alerts', 'updated');
export type ListSecurityAlertsQuery = z.infer<typeof ListSecurityAlertsQuerySchema>;

export const SecurityAlertChangesQuerySchema = changesQuerySchema(SecurityAlertFiltersShape, 'alerts', 'updated');
export type SecurityAlertChangesQuery = z.infer<typeof SecurityAlertChangesQuerySchema>;

export const SecurityAlertListResponseSchema = listEnvelope(
  SecurityAlertSchema,
  'SecurityAlertList',
  'A page of security alerts.',
);
export const SecurityAlertChangesResponseSchema = listEnvelope(
  SecurityAlertSchema,
  'SecurityAlertChanges',
  'Alerts created or changed since the cursor, in commit order, each in its latest state. Store `nextCursor` (never null).',
);
export const SecurityAlertResponseSchema = itemEnvelope(
  SecurityAlertDetailSchema,
  'SecurityAlertResponse',
  'One security alert with its raw provider payload.',
);
