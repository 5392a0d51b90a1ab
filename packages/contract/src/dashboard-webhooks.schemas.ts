import { z } from 'zod';
import { TimestampQuerySchema } from './common.schemas';
import { LogFiltersShape } from './logs.schemas';
import { MonitoringAlertFiltersShape } from './monitoring-alerts.schemas';
import { SecurityAlertFiltersShape } from './security-alerts.schemas';

/**
 * Settings → Webhooks in the dashboard API (`/dashboard/api/webhooks`, admins only): endpoints
 * that receive every change of the resources they subscribe to, signed per Standard Webhooks.
 */

/** The changes feeds an endpoint can subscribe to. */
export const WEBHOOK_RESOURCES = ['logs', 'monitoring-alerts', 'security-alerts'] as const;
export const WebhookResourceSchema = z.enum(WEBHOOK_RESOURCES, {
  errorMap: () => ({ message: `must be one of ${WEBHOOK_RESOURCES.join(', ')}` }),
});
export type WebhookResource = z.infer<typeof WebhookResourceSchema>;

/** Each resource's filters: the list endpoints' own query parameters. */
export const WEBHOOK_FILTER_SHAPES = {
  logs: LogFiltersShape,
  'monitoring-alerts': MonitoringAlertFiltersShape,
  'security-alerts': SecurityAlertFiltersShape,
} as const satisfies Record<WebhookResource, z.ZodRawShape>;

export const WEBHOOK_BATCH_SIZE_MIN = 1;
export const WEBHOOK_BATCH_SIZE_MAX = 100;
export const WEBHOOK_URL_MAX_LENGTH = 2048;
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 200;

/**
 * A resource's filters as the list endpoint's query parameters take them, values as sent
 * (`{ severity: "high,critical" }`). The server parses them exactly as that resource's
 * changes feed parses its query, and answers 400 naming `filters.<resource>.<parameter>`.
 */
const filterValuesOf = () => z.record(z.string().max(64), z.string().max(4096));

/** `{ "security-alerts": { "severity": "high,critical" } }`: per subscribed resource, optional. */
export const WebhookFiltersSchema = z
  .object({
    logs: filterValuesOf().optional(),
    'monitoring-alerts': filterValuesOf().optional(),
    'security-alerts': filterValuesOf().optional(),
  })
  .strict();
export type WebhookFilters = z.infer<typeof WebhookFiltersSchema>;

const WebhookUrlSchema = z
  .string({ required_error: 'is required' })
  .trim()
  .min(1, 'is required')
  .max(WEBHOOK_URL_MAX_LENGTH, `must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`);

const WebhookDescriptionSchema = z
  .string()
  .trim()
  .max(WEBHOOK_DESCRIPTION_MAX_LENGTH, `must be at most ${WEBHOOK_DESCRIPTION_MAX_LENGTH} characters`);

const WebhookResourcesSchema = z
  .array(WebhookResourceSchema, {
    required_error: `is required: one or more of ${WEBHOOK_RESOURCES.join(', ')}`,
    invalid_type_error: `must be a list of resources: ${WEBHOOK_RESOURCES.join(', ')}`,
  })
  .min(1, `must list at least one of ${WEBHOOK_RESOURCES.join(', ')}`)
  .transform((resources) => WEBHOOK_RESOURCES.filter((r) => resources.includes(r)));

const WebhookBatchSizeSchema = z
  .number({ invalid_type_error: 'must be a whole number of items per message' })
  .int('must be a whole number of items per message')
  .min(WEBHOOK_BATCH_SIZE_MIN, `must be at least ${WEBHOOK_BATCH_SIZE_MIN}`)
  .max(WEBHOOK_BATCH_SIZE_MAX, `must be at most ${WEBHOOK_BATCH_SIZE_MAX}`);

export const WEBHOOK_STATUSES = ['enabled', 'disabled'] as const;
export const WebhookStatusSchema = z.enum(WEBHOOK_STATUSES);
export type WebhookStatus = z.infer<typeof WebhookStatusSchema>;

/** One webhook endpoint as the dashboard lists it. Never its secret. */
export const DashboardWebhookEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  resources: z.array(WebhookResourceSchema),
  filters: z.record(z.string(), z.record(z.string(), z.string())),
  batchSize: z.number().int(),
  status: WebhookStatusSchema,
  /** Why it is disabled: `"manual"` (an admin), `"failing"` (3 days of failures), `"gone"` (the receiver answered 410). */
  disabledReason: z.string().nullable(),
  /** Failed attempts in a row of the message now waiting; 0 when delivery is healthy. */
  failureCount: z.number().int(),
  /** Since when the endpoint has been failing, or null. */
  failingSince: z.string().nullable(),
  /** The last attempt's error or status, while failing. */
  lastError: z.string().nullable(),
  /** When the next attempt is due while retrying, or null when not backing off. */
  nextRetryAt: z.string().nullable(),
  /** After a rotation: until when messages are also signed with the previous secret. */
  previousSecretExpiresAt: z.string().nullable(),
  /** Where delivery started: `"now"` (the creation) or the ISO time it was backfilled from. */
  startFrom: z.string(),
  createdAt: z.string(),
  /** The email of the admin who created it, or `"cli"` for the operator CLI. */
  createdBy: z.string(),
});
export type DashboardWebhookEndpoint = z.infer<typeof DashboardWebhookEndpointSchema>;
export const WebhookEndpointListResponseSchema = z.object({ data: z.array(DashboardWebhookEndpointSchema) });
export const WebhookEndpointResponseSchema = z.object({ data: DashboardWebhookEndpointSchema });

/** `"now"`, or an RFC 3339 time to backfill from. */
const StartFromSchema = z.union([z.literal('now'), TimestampQuerySchema], {
  errorMap: () => ({ message: 'must be "now" or an RFC 3339 date-time such as 2026-06-05T00:00:00Z' }),
});

/** `POST /dashboard/api/webhooks`. The URL must be `https://` and reach a public address. */
export const CreateWebhookEndpointBodySchema = z
  .object({
    url: WebhookUrlSchema,
    description: WebhookDescriptionSchema.nullable().optional(),
    resources: WebhookResourcesSchema,
    filters: WebhookFiltersSchema.optional(),
    batchSize: WebhookBatchSizeSchema.optional(),
    startFrom: StartFromSchema.optional(),
  })
  .strict();
export type CreateWebhookEndpointBody = z.input<typeof CreateWebhookEndpointBodySchema>;

/** `PATCH /dashboard/api/webhooks/{id}`: only the fields sent change; `filters` replaces them all. */
export const UpdateWebhookEndpointBodySchema = z
  .object({
    url: WebhookUrlSchema.optional(),
    description: WebhookDescriptionSchema.nullable().optional(),
    resources: WebhookResourcesSchema.optional(),
    filters: WebhookFiltersSchema.optional(),
    batchSize: WebhookBatchSizeSchema.optional(),
  })
  .strict();
export type UpdateWebhookEndpointBody = z.input<typeof UpdateWebhookEndpointBodySchema>;

/** The only responses that ever hold an endpoint's signing secret: creation and rotation. */
export const WebhookEndpointWithSecretSchema = z.object({
  endpoint: DashboardWebhookEndpointSchema,
  /** `whsec_…` (Standard Webhooks): shown once, never again. */
  secret: z.string(),
});
export type WebhookEndpointWithSecret = z.infer<typeof WebhookEndpointWithSecretSchema>;
export const WebhookEndpointWithSecretResponseSchema = z.object({ data: WebhookEndpointWithSecretSchema });

/** `POST /dashboard/api/webhooks/{id}/replay`: deliver again everything from this time on. */
export const ReplayWebhookBodySchema = z.object({ from: TimestampQuerySchema }).strict();

/** One delivery attempt: what was sent where, and how the receiver answered. Never the secret. */
export const WebhookDeliveryAttemptSchema = z.object({
  endpointId: z.string(),
  /** The `webhook-id` of the message (stable across retries). */
  messageId: z.string(),
  /** The message's type: `<resource>.changed` or `webhook.test`. */
  type: z.string(),
  /** How many items the message carried. */
  itemCount: z.number().int(),
  /** 1 for the first try, 2 for the first retry… */
  attempt: z.number().int(),
  startedAt: z.string(),
  durationMs: z.number().int(),
  /** The receiver's HTTP status; null when no response came (see `error`). */
  statusCode: z.number().int().nullable(),
  /** Why no 2xx arrived: a timeout, a refused connection, a TLS error, a refused address… */
  error: z.string().nullable(),
  /** The first bytes of the receiver's response body (at most 4 KB). */
  responseSnippet: z.string().nullable(),
});
export type WebhookDeliveryAttempt = z.infer<typeof WebhookDeliveryAttemptSchema>;
export const WebhookDeliveryListResponseSchema = z.object({
  data: z.array(WebhookDeliveryAttemptSchema),
  /** Send as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
/** `POST /dashboard/api/webhooks/{id}/test`: the test message's attempt, as the delivery log has it. */
export const WebhookDeliveryAttemptResponseSchema = z.object({ data: WebhookDeliveryAttemptSchema });

export const WEBHOOK_DELIVERIES_DEFAULT_LIMIT = 50;
export const WebhookDeliveriesQuerySchema = z
  .object({
    limit: z.coerce
      .number({ invalid_type_error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(200, 'must be at most 200')
      .optional(),
    cursor: z.string().min(1).max(200).optional(),
  })
  .strict();
