import { generateOpenApi } from '@ts-rest/open-api';
import { API_BASE_PATH, contract } from './index';
import type { RouteMetadata } from './route-metadata';

/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is plain JSON we reshape */
type Json = any;

const RESPONSE_HEADERS = {
  'X-Request-Id': {
    description: 'Identifies this request; echoes a well-formed inbound X-Request-Id, else generated.',
    schema: { type: 'string' },
  },
  'X-RateLimit-Limit': {
    description: 'Requests allowed per window for this key.',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current window.',
    schema: { type: 'integer' },
  },
  'X-RateLimit-Reset': {
    description: 'When the current window ends, in epoch seconds.',
    schema: { type: 'integer' },
  },
} as const;

/** What each error status means, as the reference shows it. */
const ERROR_RESPONSE_DESCRIPTIONS: Record<string, string> = {
  '400': 'Invalid request: VALIDATION_ERROR (details name each bad parameter) or INVALID_CURSOR.',
  '401': 'UNAUTHENTICATED: the API key is missing, unknown, expired or revoked.',
  '403': 'FORBIDDEN: the key lacks the scope this endpoint requires.',
  '404': 'NOT_FOUND: no such item for this tenant.',
  '429': 'RATE_LIMITED: too many requests for this key; wait Retry-After seconds.',
  '500': 'INTERNAL: an unexpected fault; no details are disclosed. Quote the requestId.',
  '503': 'SERVICE_UNAVAILABLE: the database is unreachable; retry with backoff.',
};

const TAGS = [
  { name: 'Connection', description: 'Validate an API key before wiring a connector.' },
  { name: 'Audit logs', description: 'Normalized Microsoft 365 activity and audit events. Scope `logs:read`.' },
  {
    name: 'Monitoring alerts',
    description: 'Alerts raised by your monitoring policies. Scope `monitoring-alerts:read`.',
  },
  {
    name: 'Security alerts',
    description: 'Microsoft Defender and Sentinel alerts (Graph alerts_v2). Scope `security-alerts:read`.',
  },
];

/** Router keys as they nest in the contract → the tag readers see. */
const TAG_BY_ROUTER: Record<string, string> = {
  ping: 'Connection',
  logs: 'Audit logs',
  monitoringAlerts: 'Monitoring alerts',
  securityAlerts: 'Security alerts',
};

/**
 * The OpenAPI 3.0 document of the public API, generated from the contract and then
 * reshaped where the generator's defaults would mislead a reader: security schemes, tags,
 * rate-limit headers, comma-separated list parameters, and no `nullable` on parameters.
 */
export function generateOpenApiDocument(): Json {
  const doc: Json = generateOpenApi(
    contract,
    {
      info: {
        title: '1Security API',
        version: '1.0.0',
        description:
          "Pull-based REST API for streaming a tenant's 1Security audit logs, monitoring alerts and security alerts into a SOC, MSSP or SIEM. Authenticate every request with a per-tenant API key, sent as `Authorization: Bearer <key>` (preferred) or `X-API-Key: <key>`.",
        contact: { name: '1Security support', url: 'https://1security.ai', email: 'support@1security.ai' },
        license: { name: 'Proprietary', url: 'https://1security.ai/terms' },
      },
      // Paths are written relative to the base URL the reference documents
      // (local development: http://localhost:4001/api/v1).
      servers: [{ url: `https://api.1security.ai${API_BASE_PATH}`, description: 'Production' }],
      tags: TAGS,
      security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: '1sec_live_…',
            description: 'The API key as a bearer token (preferred): `Authorization: Bearer 1sec_live_…`.',
          },
          apiKeyHeader: {
            type: 'apiKey',
            in: 'header',
            name: 'X-API-Key',
            description: 'The API key in the X-API-Key header.',
          },
        },
        headers: {
          ...RESPONSE_HEADERS,
          'Retry-After': {
            description: 'Seconds to wait before retrying (1-60).',
            schema: { type: 'integer', minimum: 1, maximum: 60 },
          },
        },
      },
    },
    {
      setOperationId: true,
      operationMapper: (operation, route) => {
        const { scope } = route.metadata as RouteMetadata;
        const scopeNote = scope ? `Requires scope \`${scope}\`.` : 'Needs any valid API key.';
        return {
          ...operation,
          description: [operation.description, scopeNote].filter(Boolean).join('\n\n'),
          'x-required-scope': scope ?? undefined,
        };
      },
    },
  );

  doc.paths = Object.fromEntries(
    Object.entries<Json>(doc.paths).map(([path, item]) => [path.slice(API_BASE_PATH.length) || '/', item]),
  );
  for (const item of Object.values<Json>(doc.paths)) {
    for (const operation of Object.values<Json>(item)) {
      operation.tags = (operation.tags as string[]).map((t) => TAG_BY_ROUTER[t] ?? t);
      if (operation.tags.length === 0) operation.tags = ['Connection'];
      for (const parameter of operation.parameters ?? []) {
        delete parameter.schema?.nullable;
        if (parameter.schema?.type === 'array') {
          parameter.style = 'form';
          parameter.explode = false;
        }
        if (parameter.in === 'query' && parameter.schema?.example !== undefined) {
          parameter.example = parameter.schema.example;
          delete parameter.schema.example;
        }
      }
      if (operation.parameters?.length === 0) delete operation.parameters;
      for (const [status, response] of Object.entries<Json>(operation.responses)) {
        if (ERROR_RESPONSE_DESCRIPTIONS[status]) response.description = ERROR_RESPONSE_DESCRIPTIONS[status];
        response.headers = Object.fromEntries(
          Object.keys(RESPONSE_HEADERS).map((h) => [h, { $ref: `#/components/headers/${h}` }]),
        );
        if (status === '429') response.headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
      }
    }
  }
  fixNullable(doc.components.schemas);
  for (const item of Object.values<Json>(doc.paths)) fixNullable(item);
  return doc;
}

/**
 * OpenAPI 3.0 allows `nullable` only beside `type`, and a nullable enum must list null. The
 * generator writes `nullable` beside `allOf` (a nullable $ref) and on untyped values, and
 * leaves null out of enums: give the first a type, drop the second, complete the third.
 */
function fixNullable(node: Json): void {
  if (Array.isArray(node)) {
    node.forEach(fixNullable);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
  if (node.nullable === true && node.type === undefined) {
    if (node.allOf || node.$ref) node.type = 'object';
    else delete node.nullable;
  }
  for (const value of Object.values(node)) fixNullable(value);
}
