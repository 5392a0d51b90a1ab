import { generateOpenApi } from '@ts-rest/open-api';
import { API_BASE_PATH, contract } from './index';
import type { RouteMetadata } from './route-metadata';

/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is plain JSON we reshape */
type Json = any;

const RATE_LIMIT_HEADERS = {
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

const HEADERS = {
  'X-Request-Id': {
    description: 'Identifies this request; echoes a well-formed inbound X-Request-Id, else generated.',
    schema: { type: 'string', minLength: 1, maxLength: 128 },
  },
  ...RATE_LIMIT_HEADERS,
  'Retry-After': {
    description: 'Seconds to wait before retrying (1-60).',
    schema: { type: 'integer', minimum: 1, maximum: 60 },
  },
} as const;
type HeaderName = keyof typeof HEADERS;

const RATE_LIMITED = Object.keys(RATE_LIMIT_HEADERS) as HeaderName[];
/**
 * The headers every response of a status carries. Rate-limit headers come from spending the
 * caller's budget, which happens before anything else can fail, except when the database or
 * an unexpected fault stops the request first (500, 503).
 */
const HEADERS_BY_STATUS: Record<string, HeaderName[]> = {
  '429': ['X-Request-Id', ...RATE_LIMITED, 'Retry-After'],
  '500': ['X-Request-Id'],
  '503': ['X-Request-Id', 'Retry-After'],
};
const DEFAULT_HEADERS: HeaderName[] = ['X-Request-Id', ...RATE_LIMITED];

/** What each error status means, as the reference shows it. */
const ERROR_RESPONSE_DESCRIPTIONS: Record<string, string> = {
  '400':
    'Invalid request: VALIDATION_ERROR (details name each bad parameter, including any query parameter this endpoint does not define) or INVALID_CURSOR.',
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

/** What the server enforces that the per-operation schemas cannot say. */
const REQUEST_RULES = [
  "Pull-based REST API for streaming a tenant's 1Security audit logs, monitoring alerts and security alerts into a SOC, MSSP or SIEM. Authenticate every request with a per-tenant API key, sent as `Authorization: Bearer <key>` (preferred) or `X-API-Key: <key>`.",
  'Requests are checked strictly:',
  [
    '- Paths are case-sensitive and have no trailing slash: `/logs` exists, `/LOGS` and `/logs/` are 404 NOT_FOUND.',
    '- Every operation is `GET` (and `HEAD`). Another method on a documented path is 405 METHOD_NOT_ALLOWED with an `Allow: GET, HEAD` header.',
    '- A query parameter an operation does not define is 400 VALIDATION_ERROR naming it; so is an empty value.',
    '- Cross-parameter rules are stated on the parameters: `until` must be later than `since`; `from` is not sent with `cursor`.',
  ].join('\n'),
].join('\n\n');

/** Router keys as they nest in the contract → the tag readers see. */
const TAG_BY_ROUTER: Record<string, string> = {
  ping: 'Connection',
  logs: 'Audit logs',
  monitoringAlerts: 'Monitoring alerts',
  securityAlerts: 'Security alerts',
};

/**
 * The OpenAPI 3.1 document of the public API, generated from the contract and then
 * reshaped where the generator's defaults would mislead a reader: security schemes, tags,
 * response headers, comma-separated list parameters, no null on parameters, and null
 * expressed the 3.1 way everywhere else.
 */
export function generateOpenApiDocument(): Json {
  const doc: Json = generateOpenApi(
    contract,
    {
      info: {
        title: '1Security API',
        version: '1.0.0',
        description: REQUEST_RULES,
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
        // Required: a response lists a header only when it always carries it (see HEADERS_BY_STATUS).
        headers: Object.fromEntries(
          Object.entries(HEADERS).map(([name, header]) => [name, { ...header, required: true }]),
        ),
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
          (HEADERS_BY_STATUS[status] ?? DEFAULT_HEADERS).map((h) => [h, { $ref: `#/components/headers/${h}` }]),
        );
      }
    }
  }
  return toOpenApi31(doc);
}

/**
 * The generator writes OpenAPI 3.0, whose `nullable` strict validators read as "never null"
 * beside `allOf`/`$ref`, and not at all on untyped values. OpenAPI 3.1 says null in JSON
 * Schema itself, so every schema in the document (components, parameters, headers, and any
 * field added later) is rewritten: `type: [t, "null"]` (with null in an enum), or
 * `anyOf: [<ref>, {type: "null"}]` for a reference.
 */
function toOpenApi31(doc: Json): Json {
  doc.openapi = '3.1.0';
  rewriteSchemas(doc);
  return doc;
}

function rewriteSchemas(node: Json): void {
  if (Array.isArray(node)) {
    node.forEach(rewriteSchemas);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const value of Object.values(node)) rewriteSchemas(value);
  if (typeof node.exclusiveMinimum === 'boolean') {
    if (node.exclusiveMinimum) node.exclusiveMinimum = node.minimum;
    else delete node.exclusiveMinimum;
    if (node.exclusiveMinimum !== undefined) delete node.minimum;
  }
  if (typeof node.exclusiveMaximum === 'boolean') {
    if (node.exclusiveMaximum) node.exclusiveMaximum = node.maximum;
    else delete node.exclusiveMaximum;
    if (node.exclusiveMaximum !== undefined) delete node.maximum;
  }
  if (!('nullable' in node)) return;
  const nullable = node.nullable === true;
  delete node.nullable;
  if (!nullable) return;
  const ref = node.$ref ?? (node.allOf?.length === 1 ? node.allOf[0].$ref : undefined);
  if (ref !== undefined) {
    delete node.$ref;
    delete node.allOf;
    delete node.type;
    node.anyOf = [{ $ref: ref }, { type: 'null' }];
  } else if (typeof node.type === 'string') {
    node.type = [node.type, 'null'];
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
  } else if (Array.isArray(node.type)) {
    if (!node.type.includes('null')) node.type.push('null');
  } else if (node.type === undefined && (node.allOf || node.anyOf || node.oneOf)) {
    // A composed schema: null is one more alternative.
    const composed = { ...node };
    for (const key of Object.keys(node)) delete node[key];
    const { description, title, example, ...rest } = composed;
    Object.assign(node, { description, title, example, anyOf: [rest, { type: 'null' }] });
    for (const key of ['description', 'title', 'example']) if (node[key] === undefined) delete node[key];
  }
  // An untyped nullable (z.unknown().nullable()) already admits null.
}
