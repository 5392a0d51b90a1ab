import { dashboardContract, type DashboardWebhookEndpoint, type WebhookDeliveryAttempt } from '@1security/contract';
import { initServer } from '@ts-rest/express';
import type { AuditActor } from '../audit/audit-events';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { ApiError, errors } from '../http/api-error';
import type { Resolver } from '../webhooks/webhook-address';
import {
  createWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  replayWebhookEndpoint,
  retryWebhookNow,
  rotateWebhookSecret,
  sendWebhookTestEvent,
  setWebhookEndpointStatus,
  UnknownWebhookError,
  updateWebhookEndpoint,
  webhookOptionsFromConfig,
  WebhookValidationError,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from '../webhooks/webhook-endpoints.service';
import type { DashboardSession } from './dashboard-session';

export interface DashboardWebhooksDeps {
  config: Pick<Config, 'webhooks'>;
  db: Db;
  /** Tests only: resolves webhook host names (the system resolver otherwise). */
  webhookResolver?: Resolver | undefined;
}

const s = initServer();

/** An endpoint as the dashboard shows it: never its secret, nor its tenant. */
export function toDashboardWebhookEndpoint(view: WebhookEndpointView): DashboardWebhookEndpoint {
  return {
    id: view.id,
    url: view.url,
    description: view.description === '' ? null : view.description,
    resources: view.resources,
    filters: view.filters,
    batchSize: view.batchSize,
    status: view.status,
    disabledReason: view.disabledReason,
    startFrom: view.startFrom,
    createdAt: view.createdAt,
    createdBy: view.createdBy,
    failureCount: view.failureCount,
    failingSince: view.failingSince,
    lastError: view.lastError,
    nextRetryAt: view.nextRetryAt,
    previousSecretExpiresAt: view.previousSecretExpiresAt,
  };
}

function toDeliveryAttempt(view: WebhookDeliveryView): WebhookDeliveryAttempt {
  return {
    endpointId: view.endpointId,
    messageId: view.messageId,
    type: view.type,
    itemCount: view.itemCount,
    attempt: view.attempt,
    startedAt: view.startedAt,
    durationMs: view.durationMs,
    statusCode: view.statusCode,
    error: view.error,
    responseSnippet: view.responseSnippet,
  };
}

/** What the handlers read of the request. */
interface CallerRequest {
  dashboardSession?: DashboardSession | undefined;
  ip?: string | undefined;
}

function sessionOf(req: CallerRequest): DashboardSession {
  if (!req.dashboardSession)
    throw new ApiError('UNAUTHENTICATED', 'Not signed in, or the session has ended. Sign in again.');
  return req.dashboardSession;
}

/** The tenant and the audit actor of the signed-in admin. */
function callerOf(req: CallerRequest): { tenantId: string; actor: AuditActor } {
  const { me } = sessionOf(req);
  return { tenantId: me.tenantId, actor: { type: 'user', email: me.email, ip: req.ip ?? null } };
}

/**
 * The service's refusals as the API's errors: bad input (a refused address among them) → 400
 * naming the field; another tenant's or no endpoint → 404, the same answer for both.
 */
async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof WebhookValidationError) throw errors.validation(err.problems);
    if (err instanceof UnknownWebhookError) throw errors.notFound('No webhook endpoint with this id.');
    throw err;
  }
}

/** Settings → Webhooks: every route admin only (enforced with the rest of the dashboard API). */
export function createDashboardWebhooksRouter(deps: DashboardWebhooksDeps) {
  const { db } = deps;
  const options = webhookOptionsFromConfig(deps.config, deps.webhookResolver);
  const id = (raw: string) => raw.toUpperCase();

  return s.router(dashboardContract.webhooks, {
    listWebhookEndpoints: async ({ req }) => {
      const { tenantId } = callerOf(req);
      const views = await listWebhookEndpoints(db, { tenantId });
      // Newest first, as the API keys are listed.
      return { status: 200, body: { data: views.reverse().map(toDashboardWebhookEndpoint) } };
    },

    createWebhookEndpoint: async ({ body, req }) => {
      const { tenantId, actor } = callerOf(req);
      const { endpoint, secret } = await answering(() =>
        createWebhookEndpoint(
          db,
          {
            tenantId,
            url: body.url,
            description: body.description ?? undefined,
            resources: body.resources,
            filters: body.filters,
            batchSize: body.batchSize,
            startFrom: body.startFrom,
            actor,
          },
          options,
        ),
      );
      return { status: 201, body: { data: { endpoint: toDashboardWebhookEndpoint(endpoint), secret } } };
    },

    getWebhookEndpoint: async ({ params, req }) => {
      const { tenantId } = callerOf(req);
      const view = await answering(() => getWebhookEndpoint(db, { tenantId, id: id(params.id) }));
      return { status: 200, body: { data: toDashboardWebhookEndpoint(view) } };
    },

    updateWebhookEndpoint: async ({ params, body, req }) => {
      const { tenantId, actor } = callerOf(req);
      const view = await answering(() =>
        updateWebhookEndpoint(
          db,
          {
            tenantId,
            id: id(params.id),
            url: body.url,
            // null clears it; the service keeps descriptions as text ('' for none).
            description: body.description === null ? '' : body.description,
            resources: body.resources,
            filters: body.filters,
            batchSize: body.batchSize,
            actor,
          },
          options,
        ),
      );
      return { status: 200, body: { data: toDashboardWebhookEndpoint(view) } };
    },

    enableWebhookEndpoint: async ({ params, req }) => {
      const { tenantId, actor } = callerOf(req);
      const view = await answering(() =>
        setWebhookEndpointStatus(db, { tenantId, id: id(params.id), status: 'enabled', actor }),
      );
      return { status: 200, body: { data: toDashboardWebhookEndpoint(view) } };
    },

    disableWebhookEndpoint: async ({ params, req }) => {
      const { tenantId, actor } = callerOf(req);
      const view = await answering(() =>
        setWebhookEndpointStatus(db, { tenantId, id: id(params.id), status: 'disabled', actor }),
      );
      return { status: 200, body: { data: toDashboardWebhookEndpoint(view) } };
    },

    rotateWebhookSecret: async ({ params, req }) => {
      const { tenantId, actor } = callerOf(req);
      const { endpoint, secret } = await answering(() =>
        rotateWebhookSecret(db, { tenantId, id: id(params.id), actor }, options),
      );
      return { status: 200, body: { data: { endpoint: toDashboardWebhookEndpoint(endpoint), secret } } };
    },

    sendWebhookTestEvent: async ({ params, req }) => {
      const { tenantId, actor } = callerOf(req);
      const attempt = await answering(() => sendWebhookTestEvent(db, { tenantId, id: id(params.id), actor }, options));
      return { status: 200, body: { data: toDeliveryAttempt(attempt) } };
    },

    listWebhookDeliveries: async ({ params, query, req }) => {
      const { tenantId } = callerOf(req);
      const page = await answering(() =>
        listWebhookDeliveries(db, { tenantId, id: id(params.id), limit: query.limit, cursor: query.cursor }),
      );
      return { status: 200, body: { data: page.data.map(toDeliveryAttempt), nextCursor: page.nextCursor } };
    },

    retryWebhookNow: async ({ params, req }) => {
      const { tenantId, actor } = callerOf(req);
      const view = await answering(() => retryWebhookNow(db, { tenantId, id: id(params.id), actor }));
      return { status: 200, body: { data: toDashboardWebhookEndpoint(view) } };
    },

    replayWebhookEndpoint: async ({ params, body, req }) => {
      const { tenantId, actor } = callerOf(req);
      const view = await answering(() =>
        replayWebhookEndpoint(db, { tenantId, id: id(params.id), from: body.from, actor }),
      );
      return { status: 200, body: { data: toDashboardWebhookEndpoint(view) } };
    },
  });
}
