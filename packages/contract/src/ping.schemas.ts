import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { ScopeSchema, itemEnvelope } from './common.schemas';

export const PingSchema = extendApi(
  z.object({
    tenantId: z.string().describe('The tenant the key belongs to.'),
    keyId: z.string().describe('The id of the key that authenticated this request.'),
    name: z.string().describe('The name the key was given at creation.'),
    scopes: z.array(ScopeSchema).describe('The read scopes the key carries.'),
    retentionDays: z
      .number()
      .int()
      .min(1)
      .describe(
        "How many days the tenant's audit events (by `discoveredAt`) and resolved alerts (by `updatedAt`) are kept; older ones are removed, open alerts stay. `since`/`from` earlier than this start at the oldest item kept.",
      ),
  }),
  {
    title: 'Ping',
    example: {
      tenantId: '01J2Z3K4M5N6P7Q8R9S0T1V2W3',
      keyId: '01J2Z3K4M5N6P7Q8R9S0T1V2W4',
      name: 'Splunk prod',
      scopes: ['logs:read', 'monitoring-alerts:read', 'security-alerts:read'],
      retentionDays: 365,
    },
  },
);
export type Ping = z.infer<typeof PingSchema>;

export const PingResponseSchema = itemEnvelope(
  PingSchema,
  'PingResponse',
  'The tenant, key, scopes and retention period the API key maps to.',
);
