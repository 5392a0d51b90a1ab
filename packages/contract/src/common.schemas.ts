import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';

/**
 * Building blocks shared by every resource: the error and pagination envelopes, and the
 * query-parameter parsers (limits, cursors, comma-separated enum lists, `'true'|'false'`
 * booleans, ISO 8601 timestamps).
 */

/** One severity scale for every resource, from least to most severe. */
export const SEVERITIES = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export const SeveritySchema = extendApi(z.enum(SEVERITIES), {
  description: 'Severity, one scale for every resource: informational < low < medium < high < critical.',
});
export type Severity = z.infer<typeof SeveritySchema>;

/** The read scopes an API key can carry. */
export const SCOPES = ['logs:read', 'monitoring-alerts:read', 'security-alerts:read'] as const;
export const ScopeSchema = z.enum(SCOPES);
export type Scope = z.infer<typeof ScopeSchema>;

/** Every error code the API answers with, and the HTTP status it always comes with. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  INVALID_CURSOR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const ErrorDetailSchema = extendApi(
  z.object({
    parameter: z.string().describe('The query parameter, path parameter or header at fault.'),
    message: z.string().describe('What is wrong with it, in words.'),
  }),
  { title: 'ErrorDetail' },
);
export type ErrorDetail = z.infer<typeof ErrorDetailSchema>;

/** The one shape every error response has. */
export const ErrorEnvelopeSchema = extendApi(
  z.object({
    error: z.object({
      code: extendApi(z.enum(ERROR_CODES), { description: 'Machine-readable error code.' }),
      message: z.string().describe('Human-readable explanation, safe to show to an operator.'),
      details: z.array(ErrorDetailSchema).optional().describe('For VALIDATION_ERROR: one entry per bad parameter.'),
      requestId: z.string().describe('Equals the X-Request-Id response header; quote it to support.'),
    }),
  }),
  {
    title: 'ErrorEnvelope',
    example: {
      error: {
        code: 'UNAUTHENTICATED',
        message: 'Invalid, expired, or revoked API key.',
        requestId: '5b0f3c1e-4a8e-4f6e-9a0c-2f1d7c9e8b11',
      },
    },
  },
);
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

export const PaginationSchema = extendApi(
  z.object({
    nextCursor: z
      .string()
      .nullable()
      .describe('Pass back as `?cursor=` to get the next page; null when `hasMore` is false.'),
    hasMore: z.boolean().describe('True when another page follows this one.'),
    limit: z.number().int().describe('The page size this page was served with.'),
  }),
  { title: 'Pagination' },
);
export type Pagination = z.infer<typeof PaginationSchema>;

/** `{ data: [...], pagination }` for a list of `item`. */
export function listEnvelope<T extends z.ZodTypeAny>(item: T, title: string, description: string) {
  return extendApi(z.object({ data: z.array(item), pagination: PaginationSchema }).describe(description), {
    title,
  });
}

/** `{ data: item }` for a single object. */
export function itemEnvelope<T extends z.ZodTypeAny>(item: T, title: string, description: string) {
  return extendApi(z.object({ data: item }).describe(description), { title });
}

// ---------------------------------------------------------------------------------------
// Query parameters. Every parser accepts exactly the documented form and fails with a
// message that names what was expected; nothing is clamped or coerced silently.
// ---------------------------------------------------------------------------------------

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;

/** `limit`: an integer from 1 to 1000, default 50. Out of range is an error, never clamped. */
export const LimitQuerySchema = extendApi(
  z
    .string()
    .regex(/^\d{1,7}$/, `must be an integer from 1 to ${MAX_LIMIT}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(1, `must be an integer from 1 to ${MAX_LIMIT}`)
        .max(MAX_LIMIT, `must be an integer from 1 to ${MAX_LIMIT}`),
    )
    .optional()
    .transform((value) => value ?? DEFAULT_LIMIT),
  {
    type: 'integer',
    minimum: 1,
    maximum: MAX_LIMIT,
    default: DEFAULT_LIMIT,
    description: `Page size: an integer from 1 to ${MAX_LIMIT}, in plain digits (\`100\`; \`1e2\`, \`+100\` and \`100.0\` are rejected with 400). Values outside that range are rejected with 400, not clamped.`,
    example: 100,
  },
);

/** `cursor`: the opaque `nextCursor` of a previous page. Decoded and checked by the server. */
export const CursorQuerySchema = extendApi(z.string().min(1, 'must not be empty').optional(), {
  description:
    'Opaque cursor from `pagination.nextCursor` of the previous page. Send the same filters with it; a cursor replayed with other filters, altered, or from another tenant is rejected with 400 INVALID_CURSOR.',
  example: 'eyJ2IjoxLCJrIjpbIjIwMjYtMDYtMDVUMDk6MTM6MDEuMDAwWiIsIjAxSjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwIl19',
});

/** A list parameter arrives as one comma-separated string, or repeated (`?a=x&a=y`). */
const StringOrStringsSchema = z.union([z.string(), z.array(z.string())], {
  errorMap: () => ({ message: 'must be a comma-separated list' }),
});
/** In the OpenAPI document a list is an array (serialised `style: form, explode: false`). */
const LIST_PARAMETER_SCHEMA = { anyOf: undefined, oneOf: undefined };

/** Quotes a received value in an error message, cut short: messages name what was sent. */
function quoted(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/**
 * The items of a list parameter, exactly as sent: split on commas, nothing trimmed. An empty
 * item (`high,`, `,high`, `high,,low`, or an empty value) is an error naming the value, as the
 * document says (`minItems: 1`, items non-empty).
 */
function listItems(input: string | string[], ctx: z.RefinementCtx): string[] | undefined {
  const raw = Array.isArray(input) ? input.join(',') : input;
  const items = raw.split(',');
  if (items.some((item) => item.length === 0)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message:
        raw.length === 0
          ? 'must not be empty'
          : `has an empty item in ${quoted(raw)} (a leading, trailing or doubled comma)`,
    });
    return undefined;
  }
  return items;
}

/**
 * A comma-separated list of enum values: `severity=high,critical`. OR within the list.
 * A repeated parameter (`severity=high&severity=critical`) is accepted as the same list.
 */
export function enumListQuery<const T extends readonly [string, ...string[]]>(values: T, description: string) {
  const allowed = new Set<string>(values);
  const schema = StringOrStringsSchema.transform((input, ctx) => {
    const items = listItems(input, ctx);
    if (!items) return z.NEVER;
    const unknown = items.filter((item) => !allowed.has(item));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `unknown value ${unknown.map(quoted).join(', ')}; allowed: ${values.join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(items)] as T[number][];
  });
  return extendApi(schema.optional(), {
    ...LIST_PARAMETER_SCHEMA,
    type: 'array',
    minItems: 1,
    items: { type: 'string', enum: [...values] },
    description: `${description} Comma-separated list; matches any of the values. Allowed: ${values.join(', ')}. Repeating the parameter is the same as one list. Values are exact (case-sensitive, no spaces); an unknown or empty item (e.g. a trailing comma) is rejected with 400.`,
    example: values.slice(-2),
  });
}

/** `'true' | 'false'` as a real boolean. Nothing else is accepted ("false" is never true). */
export function booleanQuery(description: string) {
  return extendApi(
    z
      .enum(['true', 'false'], { errorMap: () => ({ message: "must be 'true' or 'false'" }) })
      .transform((value) => value === 'true')
      .optional(),
    { type: 'boolean', enum: undefined, description, example: false },
  );
}

/**
 * RFC 3339 `date-time` as the API accepts it: seconds required, fraction up to 9 digits, a zone
 * (`Z` or `±hh:mm`), every field in range. The day is checked against its month separately
 * (the document's `format: date-time` says the same), so 2026-02-30 is refused, never rolled over.
 */
export const ISO_TIMESTAMP_PATTERN =
  '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)$';
const ISO_TIMESTAMP = new RegExp(ISO_TIMESTAMP_PATTERN);

function isRealCalendarDay(raw: string): boolean {
  const [year, month, day] = raw.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** An RFC 3339 timestamp with a zone (`Z` or `±hh:mm`), as a Date. */
export const TimestampQuerySchema = z.string().transform((raw, ctx) => {
  if (!ISO_TIMESTAMP.test(raw)) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `must be an RFC 3339 date-time with seconds and a time zone, e.g. 2026-06-05T09:12:44Z; got ${quoted(raw)}`,
    });
    return z.NEVER;
  }
  const date = new Date(raw);
  if (!isRealCalendarDay(raw) || Number.isNaN(date.getTime())) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `is not a real date: ${quoted(raw)} (no such day in that month)`,
    });
    return z.NEVER;
  }
  return date;
});

export function timestampQuery(description: string, example = '2026-06-05T00:00:00Z') {
  return extendApi(TimestampQuerySchema.optional(), {
    type: 'string',
    format: 'date-time',
    pattern: ISO_TIMESTAMP_PATTERN,
    description: `${description} RFC 3339 with seconds and a zone, e.g. ${example}; an impossible date (2026-02-30, T24:00:00) is rejected with 400.`,
    example,
  });
}

/** `order`: newest first (`desc`, the default) or oldest first (`asc`). */
export const OrderQuerySchema = extendApi(z.enum(['asc', 'desc']).default('desc'), {
  description:
    "Sort direction on the list's time column, ties broken by id: `desc` (newest first, the default) or `asc`.",
  example: 'asc',
});

/** A resource id in a path: a ULID. Anything else can never match, so it is a 404. */
export const IdPathSchema = extendApi(z.string(), {
  description: "The item's id (a ULID, e.g. 01J2Z3K4M5N6P7Q8R9S0T1V2W3).",
  example: '01J2Z3K4M5N6P7Q8R9S0T1V2W3',
});

/** An ISO 8601 UTC timestamp in a response body. */
export function timestampField(description: string) {
  return extendApi(z.string(), { format: 'date-time', description, example: '2026-06-05T09:13:01.000Z' });
}

const MAX_LIST_ITEMS = 50;
const MAX_LIST_ITEM_LENGTH = 256;

/** A comma-separated list of free-form values (`workload=SharePoint,Exchange`): OR within the list. */
export function stringListQuery(description: string, example: string[]) {
  const schema = StringOrStringsSchema.transform((input, ctx) => {
    const items = listItems(input, ctx);
    if (!items) return z.NEVER;
    if (items.length > MAX_LIST_ITEMS || items.some((item) => item.length > MAX_LIST_ITEM_LENGTH)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `must list at most ${MAX_LIST_ITEMS} values of at most ${MAX_LIST_ITEM_LENGTH} characters each`,
      });
      return z.NEVER;
    }
    return [...new Set(items)];
  });
  return extendApi(schema.optional(), {
    ...LIST_PARAMETER_SCHEMA,
    type: 'array',
    minItems: 1,
    maxItems: MAX_LIST_ITEMS,
    items: { type: 'string', minLength: 1, maxLength: MAX_LIST_ITEM_LENGTH },
    description: `${description} Comma-separated list; matches any of the values, each compared exactly as sent (nothing is trimmed); repeating the parameter is the same as one list. An empty item (e.g. a trailing comma) is rejected with 400.`,
    example,
  });
}

/** Fields `include` can add to every item of a list or changes page; none are sent by default. */
export const INCLUDABLE_FIELDS = ['rawData'] as const;
export type IncludableField = (typeof INCLUDABLE_FIELDS)[number];

/**
 * `include=rawData`: adds each item's raw provider record to a list or changes page. Opt-in so
 * that default pages stay small. It does not change which items a page holds, so it is not
 * part of the cursor: a caller may add or drop it between pages.
 */
export function includeQuery() {
  return extendApi(enumListQuery(INCLUDABLE_FIELDS, ''), {
    description:
      'Extra fields to add to every item, left out by default so that pages stay small. `rawData`: the provider record exactly as ingested (as on the detail endpoint). Not part of the cursor: it may change between pages.',
    example: ['rawData'],
  });
}

const ChangesCursorQuerySchema = extendApi(z.string().min(1, 'must not be empty').optional(), {
  description: 'The `nextCursor` of the previous call; omit on the first call. Send the same filters with it.',
});

/**
 * A list endpoint's query: the resource's filters, a time window on its sort column, order,
 * and keyset paging. `items`/`verb` word the window, e.g. "alerts" / "updated".
 */
export function listQuerySchema<F extends z.ZodRawShape>(filters: F, items: string, verb: string) {
  return z
    .object({
      ...filters,
      since: timestampQuery(`Only ${items} ${verb} at or after this time (inclusive).`),
      until: timestampQuery(
        `Only ${items} ${verb} before this time (exclusive). With \`since\`, must be later than it, else 400.`,
        '2026-06-06T00:00:00Z',
      ),
      order: OrderQuerySchema,
      limit: LimitQuerySchema,
      cursor: CursorQuerySchema,
      include: includeQuery(),
    })
    .strict();
}

/** A changes feed's query: the same filters, `from` for the first call, and the feed cursor. */
export function changesQuerySchema<F extends z.ZodRawShape>(filters: F, items: string, verb: string) {
  return z
    .object({
      ...filters,
      from: timestampQuery(
        `First call only: start from ${items} ${verb} at or after this time (default: the tenant's oldest kept item: audit events and resolved alerts older than the tenant's retention period, \`retentionDays\` on /ping, are removed; a time before that also starts there). Sent together with \`cursor\`, it is rejected with 400: the cursor carries where to continue.`,
      ),
      limit: LimitQuerySchema,
      cursor: ChangesCursorQuerySchema,
      include: includeQuery(),
    })
    .strict();
}
