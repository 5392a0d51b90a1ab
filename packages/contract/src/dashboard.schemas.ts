import { z } from 'zod';
import { ERROR_STATUS, SCOPES, ScopeSchema, TimestampQuerySchema } from './common.schemas';

/**
 * The dashboard's own API (`/dashboard/api`): sign-in, the signed-in user, passwords, TOTP,
 * and a tenant admin's API keys. Authenticated by a session cookie, never by an API key; not
 * part of the public OpenAPI document.
 */

/** The public API's error codes, and those only the dashboard answers with. */
export const DASHBOARD_ERROR_STATUS = {
  ...ERROR_STATUS,
  /** Sign-in: the account has TOTP enrolled and the code is missing or wrong. */
  MFA_REQUIRED: 401,
  /** `DASHBOARD_REQUIRE_MFA=true`: an admin must enrol TOTP before opening Settings. */
  MFA_ENROLMENT_REQUIRED: 403,
  /** The action conflicts with the current state (e.g. revoking a key that is already revoked). */
  CONFLICT: 409,
  /** The JSON body is larger than the dashboard API accepts. */
  PAYLOAD_TOO_LARGE: 413,
} as const;
export type DashboardErrorCode = keyof typeof DASHBOARD_ERROR_STATUS;
export const DASHBOARD_ERROR_CODES = Object.keys(DASHBOARD_ERROR_STATUS) as [
  DashboardErrorCode,
  ...DashboardErrorCode[],
];

/** `{ error: { code, message, details?, requestId } }`, as on the public API. */
export const DashboardErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.enum(DASHBOARD_ERROR_CODES),
    message: z.string(),
    details: z.array(z.object({ parameter: z.string(), message: z.string() })).optional(),
    requestId: z.string(),
  }),
});
export type DashboardErrorEnvelope = z.infer<typeof DashboardErrorEnvelopeSchema>;

export const USER_ROLES = ['admin', 'analyst'] as const;
export const UserRoleSchema = z.enum(USER_ROLES);
export type UserRole = z.infer<typeof UserRoleSchema>;

/** Passwords: at least 12 characters; at most 256 so hashing cost stays bounded. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
export const NewPasswordSchema = z
  .string({ required_error: 'is required' })
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`);

/** A six-digit TOTP code (RFC 6238, 30 s period, SHA-1). */
export const TotpCodeSchema = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');

/** `POST /dashboard/api/session`. `totp` is needed once the account has TOTP enrolled. */
export const SignInBodySchema = z
  .object({
    email: z.string({ required_error: 'is required' }).min(1, 'is required').max(320),
    password: z.string({ required_error: 'is required' }).min(1, 'is required').max(PASSWORD_MAX_LENGTH),
    totp: TotpCodeSchema.optional(),
  })
  .strict();
export type SignInBody = z.infer<typeof SignInBodySchema>;

/** The signed-in user. */
export const MeSchema = z.object({
  userId: z.string(),
  email: z.string(),
  role: UserRoleSchema,
  tenantId: z.string(),
  tenantName: z.string(),
  mfaEnabled: z.boolean(),
});
export type Me = z.infer<typeof MeSchema>;
export const MeResponseSchema = z.object({ data: MeSchema });

/**
 * `POST /dashboard/api/password`: either the one-time token of a set-password link (signed
 * out), or the current password (signed in). Either way every session of the user ends.
 */
export const SetPasswordWithTokenBodySchema = z
  .object({ token: z.string().min(1, 'is required').max(200), newPassword: NewPasswordSchema })
  .strict();
export const ChangePasswordBodySchema = z
  .object({
    currentPassword: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH),
    newPassword: NewPasswordSchema,
  })
  .strict();
export type ChangePasswordBody = z.infer<typeof ChangePasswordBodySchema>;
export type SetPasswordWithTokenBody = z.infer<typeof SetPasswordWithTokenBodySchema>;
export const PasswordBodySchema = z.union([SetPasswordWithTokenBodySchema, ChangePasswordBodySchema]);
export type PasswordBody = z.infer<typeof PasswordBodySchema>;

export const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export const ApiKeyStatusSchema = z.enum(API_KEY_STATUSES);
export type ApiKeyStatus = z.infer<typeof ApiKeyStatusSchema>;

/** One API key as the dashboard lists it. Never its secret. */
export const DashboardApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the secret, e.g. `1sec_live_AbCdEf…`. */
  displayPrefix: z.string(),
  scopes: z.array(ScopeSchema),
  /** Requests per minute; null means the server default. */
  rateLimit: z.number().int().nullable(),
  createdAt: z.string(),
  /** The email of the user who created it, or `"cli"` for the operator CLI and scripts. */
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: ApiKeyStatusSchema,
});
export type DashboardApiKey = z.infer<typeof DashboardApiKeySchema>;
export const ApiKeyListResponseSchema = z.object({ data: z.array(DashboardApiKeySchema) });
export const ApiKeyResponseSchema = z.object({ data: DashboardApiKeySchema });

export const API_KEY_NAME_MAX_LENGTH = 100;
/** An API key's name, trimmed: the one rule for the dashboard and the operator CLI. */
export const ApiKeyNameSchema = z
  .string({ required_error: 'is required' })
  .trim()
  .min(1, 'must not be empty')
  .max(API_KEY_NAME_MAX_LENGTH, `must be at most ${API_KEY_NAME_MAX_LENGTH} characters`);

export const TENANT_NAME_MAX_LENGTH = 200;
/** A tenant's name, trimmed, as the operator CLI takes it. */
export const TenantNameSchema = z
  .string({ required_error: 'is required' })
  .trim()
  .min(1, 'must not be empty')
  .max(TENANT_NAME_MAX_LENGTH, `must be at most ${TENANT_NAME_MAX_LENGTH} characters`);

/**
 * `POST /dashboard/api/api-keys`. `expiresAt` must be in the future (checked by the server);
 * omitted or null means never. `rateLimit` must not exceed the operator's ceiling.
 */
export const CreateApiKeyBodySchema = z
  .object({
    name: ApiKeyNameSchema,
    scopes: z
      .array(ScopeSchema, {
        required_error: `is required: one or more of ${SCOPES.join(', ')}`,
        invalid_type_error: `must be a list of scopes: ${SCOPES.join(', ')}`,
      })
      .min(1, `must list at least one of ${SCOPES.join(', ')}`)
      .transform((scopes) => [...new Set(scopes)]),
    // The public API's own timestamp parser: an impossible date (2027-02-30) is refused, not rolled over.
    expiresAt: TimestampQuerySchema.nullable().optional(),
    rateLimit: z
      .number({ invalid_type_error: 'must be a whole number of requests per minute' })
      .int('must be a whole number of requests per minute')
      .min(1, 'must be at least 1 request per minute')
      .nullable()
      .optional(),
  })
  .strict();
export type CreateApiKeyBody = z.input<typeof CreateApiKeyBodySchema>;

/** The only response that ever holds a key's secret. */
export const CreatedApiKeySchema = z.object({
  key: DashboardApiKeySchema,
  /** The full secret, `1sec_live_…`: shown once, never again. */
  secret: z.string(),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;
export const CreatedApiKeyResponseSchema = z.object({ data: CreatedApiKeySchema });

/** `POST /dashboard/api/mfa/totp`: a new, unconfirmed TOTP secret; render `otpauthUrl` as a QR code. */
export const TotpEnrolmentSchema = z.object({
  /** Base32 secret, for typing into an authenticator app by hand. */
  secret: z.string(),
  /** `otpauth://totp/…` URL, for the QR code. */
  otpauthUrl: z.string(),
});
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;
export const TotpEnrolmentResponseSchema = z.object({ data: TotpEnrolmentSchema });
export const ConfirmTotpBodySchema = z.object({ code: TotpCodeSchema }).strict();
export const DisableTotpBodySchema = z
  .object({ password: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH) })
  .strict();
