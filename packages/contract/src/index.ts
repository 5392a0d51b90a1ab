import { initContract } from '@ts-rest/core';
import { ErrorEnvelopeSchema } from './common.schemas';
import { logsContract } from './logs.contract';
import { monitoringAlertsContract } from './monitoring-alerts.contract';
import { pingContract } from './ping.contract';
import { securityAlertsContract } from './security-alerts.contract';

export * from './common.schemas';
export * from './ping.schemas';
export * from './logs.schemas';
export * from './monitoring-alerts.schemas';
export * from './security-alerts.schemas';
export type { RouteMetadata } from './route-metadata';
// The dashboard's own API: not part of `contract` nor of the public OpenAPI document.
export * from './dashboard.schemas';
export * from './dashboard.contract';
export * from './dashboard-webhooks.schemas';
export * from './dashboard-webhooks.contract';

const c = initContract();

/** Error responses every route can answer with; declared once so the client types them. */
export const commonErrorResponses = {
  400: ErrorEnvelopeSchema,
  401: ErrorEnvelopeSchema,
  403: ErrorEnvelopeSchema,
  429: ErrorEnvelopeSchema,
  500: ErrorEnvelopeSchema,
  503: ErrorEnvelopeSchema,
} as const;

/** Every public route lives under this path. */
export const API_BASE_PATH = '/api/v1';

/** The whole public API, version 1. Every path is under `/api/v1`. */
export const contract = c.router(
  {
    ping: pingContract,
    logs: logsContract,
    monitoringAlerts: monitoringAlertsContract,
    securityAlerts: securityAlertsContract,
  },
  { pathPrefix: API_BASE_PATH, commonResponses: commonErrorResponses, strictStatusCodes: true },
);

export type Contract = typeof contract;
