import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import type { DashboardRouteMetadata } from './dashboard.contract';
import {
  CreateWebhookEndpointBodySchema,
  ReplayWebhookBodySchema,
  UpdateWebhookEndpointBodySchema,
  WebhookDeliveriesQuerySchema,
  WebhookDeliveryAttemptResponseSchema,
  WebhookDeliveryListResponseSchema,
  WebhookEndpointListResponseSchema,
  WebhookEndpointResponseSchema,
  WebhookEndpointWithSecretResponseSchema,
} from './dashboard-webhooks.schemas';

const c = initContract();
const adminOnly: DashboardRouteMetadata = { access: 'admin' };
const idParams = z.object({ id: z.string() });

/**
 * Settings → Webhooks: a tenant admin's webhook endpoints (`/dashboard/api/webhooks…`).
 * Another tenant's (or no) endpoint id → 404. A URL that is not `https://`, or that resolves
 * to a loopback, private, link-local or otherwise internal address, → 400 with the reason.
 */
export const dashboardWebhooksContract = c.router({
  listWebhookEndpoints: {
    method: 'GET',
    path: '/webhooks',
    responses: { 200: WebhookEndpointListResponseSchema },
    summary: 'Every webhook endpoint of the tenant, newest first (admin only)',
    metadata: adminOnly,
  },
  createWebhookEndpoint: {
    method: 'POST',
    path: '/webhooks',
    body: CreateWebhookEndpointBodySchema,
    responses: { 201: WebhookEndpointWithSecretResponseSchema },
    summary: 'Create a webhook endpoint; the response holds its signing secret, once (admin only)',
    description:
      'Bad URL, `http://` (unless the server allows it), or an address refused as internal → 400 VALIDATION_ERROR naming `url`.',
    metadata: adminOnly,
  },
  getWebhookEndpoint: {
    method: 'GET',
    path: '/webhooks/:id',
    pathParams: idParams,
    responses: { 200: WebhookEndpointResponseSchema },
    summary: 'One webhook endpoint (admin only)',
    metadata: adminOnly,
  },
  updateWebhookEndpoint: {
    method: 'PATCH',
    path: '/webhooks/:id',
    pathParams: idParams,
    body: UpdateWebhookEndpointBodySchema,
    responses: { 200: WebhookEndpointResponseSchema },
    summary: 'Change the URL, description, resources, filters or batch size (admin only)',
    metadata: adminOnly,
  },
  enableWebhookEndpoint: {
    method: 'POST',
    path: '/webhooks/:id/enable',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: WebhookEndpointResponseSchema },
    summary: 'Enable an endpoint: delivery resumes where it stopped, nothing skipped (admin only)',
    metadata: adminOnly,
  },
  disableWebhookEndpoint: {
    method: 'POST',
    path: '/webhooks/:id/disable',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: WebhookEndpointResponseSchema },
    summary: 'Disable an endpoint: delivery pauses, its position is kept (admin only)',
    metadata: adminOnly,
  },
  rotateWebhookSecret: {
    method: 'POST',
    path: '/webhooks/:id/rotate-secret',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: WebhookEndpointWithSecretResponseSchema },
    summary: 'Issue a new signing secret, shown once; messages carry both signatures for 24 h (admin only)',
    metadata: adminOnly,
  },
  sendWebhookTestEvent: {
    method: 'POST',
    path: '/webhooks/:id/test',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: WebhookDeliveryAttemptResponseSchema },
    summary: 'Send a `webhook.test` message now; answers with its attempt (admin only)',
    description:
      'Signed like any message, outside the endpoint’s feed (its position and back-off are untouched). 200 even when the receiver fails: the attempt says how.',
    metadata: adminOnly,
  },
  listWebhookDeliveries: {
    method: 'GET',
    path: '/webhooks/:id/deliveries',
    pathParams: idParams,
    query: WebhookDeliveriesQuerySchema,
    responses: { 200: WebhookDeliveryListResponseSchema },
    summary: 'The endpoint’s recent delivery attempts, newest first (admin only)',
    metadata: adminOnly,
  },
  retryWebhookNow: {
    method: 'POST',
    path: '/webhooks/:id/retry',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: WebhookEndpointResponseSchema },
    summary: 'Try the waiting message again now instead of at its scheduled retry (admin only)',
    metadata: adminOnly,
  },
  replayWebhookEndpoint: {
    method: 'POST',
    path: '/webhooks/:id/replay',
    pathParams: idParams,
    body: ReplayWebhookBodySchema,
    responses: { 200: WebhookEndpointResponseSchema },
    summary: 'Deliver again every change from a time on (admin only)',
    description: 'Messages of a span already delivered keep their `webhook-id`, so receivers de-duplicate them.',
    metadata: adminOnly,
  },
});
