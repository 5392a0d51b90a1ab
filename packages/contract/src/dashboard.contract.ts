import { initContract } from '@ts-rest/core';
import { z } from 'zod';
import { dashboardWebhooksContract } from './dashboard-webhooks.contract';
import {
  ApiKeyListResponseSchema,
  ApiKeyResponseSchema,
  ConfirmTotpBodySchema,
  CreateApiKeyBodySchema,
  CreatedApiKeyResponseSchema,
  DashboardErrorEnvelopeSchema,
  DisableTotpBodySchema,
  MeResponseSchema,
  PasswordBodySchema,
  SignInBodySchema,
  TotpEnrolmentResponseSchema,
} from './dashboard.schemas';

const c = initContract();

/** Every dashboard API route lives under this path. */
export const DASHBOARD_API_BASE_PATH = '/dashboard/api';

/** Errors any dashboard route can answer with. */
export const dashboardErrorResponses = {
  400: DashboardErrorEnvelopeSchema,
  401: DashboardErrorEnvelopeSchema,
  403: DashboardErrorEnvelopeSchema,
  404: DashboardErrorEnvelopeSchema,
  409: DashboardErrorEnvelopeSchema,
  413: DashboardErrorEnvelopeSchema,
  429: DashboardErrorEnvelopeSchema,
  500: DashboardErrorEnvelopeSchema,
  503: DashboardErrorEnvelopeSchema,
} as const;

/** Who may call a dashboard route; the server enforces it. */
export interface DashboardRouteMetadata {
  /** `public`: no session needed; `user`: any signed-in user; `admin`: tenant admins only. */
  access: 'public' | 'user' | 'admin';
}
const access = (value: DashboardRouteMetadata['access']): DashboardRouteMetadata => ({ access: value });

/**
 * The dashboard's API, mounted at `/dashboard/api`. Authenticated by the `1sec_session`
 * cookie set by `POST /session` (HttpOnly, SameSite=Strict, Path=/dashboard); an API key
 * never authenticates here. Every state-changing request must be JSON and carry an `Origin`
 * equal to the dashboard's own origin, or it is refused with 403.
 */
export const dashboardContract = c.router(
  {
    /** Sign in: sets the session cookie. */
    signIn: {
      method: 'POST',
      path: '/session',
      body: SignInBodySchema,
      responses: { 200: MeResponseSchema },
      summary: 'Sign in',
      description:
        'A wrong email or password → 401 UNAUTHENTICATED (the same answer for both); TOTP enrolled and `totp` missing or wrong → 401 MFA_REQUIRED; too many failures → 429.',
      metadata: access('public'),
    },
    /** Sign out: ends the session and clears the cookie. */
    signOut: {
      method: 'DELETE',
      path: '/session',
      body: c.noBody(),
      responses: { 204: c.noBody() },
      summary: 'Sign out',
      metadata: access('user'),
    },
    getMe: {
      method: 'GET',
      path: '/me',
      responses: { 200: MeResponseSchema },
      summary: 'The signed-in user',
      metadata: access('user'),
    },
    /**
     * Set a password from a one-time link's token (signed out), or change it with the
     * current one (signed in). Either way every session of the user ends.
     */
    setPassword: {
      method: 'POST',
      path: '/password',
      body: PasswordBodySchema,
      responses: { 204: c.noBody() },
      summary: 'Set or change the password',
      description:
        '`{ token, newPassword }` with the token of a set-password link (single use, 24 h; a used or expired token → 400), or `{ currentPassword, newPassword }` with a session. Passwords have at least 12 characters.',
      metadata: access('public'),
    },
    listApiKeys: {
      method: 'GET',
      path: '/api-keys',
      responses: { 200: ApiKeyListResponseSchema },
      summary: 'Every API key of the tenant, newest first (admin only)',
      metadata: access('admin'),
    },
    createApiKey: {
      method: 'POST',
      path: '/api-keys',
      body: CreateApiKeyBodySchema,
      responses: { 201: CreatedApiKeyResponseSchema },
      summary: 'Create an API key; the only response that holds its secret (admin only)',
      metadata: access('admin'),
    },
    revokeApiKey: {
      method: 'POST',
      path: '/api-keys/:id/revoke',
      pathParams: z.object({ id: z.string() }),
      body: c.noBody(),
      responses: { 200: ApiKeyResponseSchema },
      summary: 'Revoke an API key (admin only)',
      description:
        'Effective on the next request on every server. Another tenant’s (or no) key → 404; a key already revoked → 409 CONFLICT.',
      metadata: access('admin'),
    },
    startTotpEnrolment: {
      method: 'POST',
      path: '/mfa/totp',
      body: c.noBody(),
      responses: { 200: TotpEnrolmentResponseSchema },
      summary: 'Start TOTP enrolment: a new secret and its otpauth:// URL',
      description: 'Replaces any unconfirmed enrolment. Already enrolled → 409 CONFLICT (disable first).',
      metadata: access('user'),
    },
    confirmTotpEnrolment: {
      method: 'POST',
      path: '/mfa/totp/confirm',
      body: ConfirmTotpBodySchema,
      responses: { 204: c.noBody() },
      summary: 'Confirm TOTP enrolment with one code',
      description: 'A wrong code → 400. From then on sign-in needs a code.',
      metadata: access('user'),
    },
    disableTotp: {
      method: 'DELETE',
      path: '/mfa/totp',
      body: DisableTotpBodySchema,
      responses: { 204: c.noBody() },
      summary: 'Disable TOTP (needs the password)',
      description: 'A wrong password → 400; not enrolled → 409 CONFLICT.',
      metadata: access('user'),
    },
    /** Settings → Webhooks (admin only). */
    webhooks: dashboardWebhooksContract,
  },
  { pathPrefix: DASHBOARD_API_BASE_PATH, commonResponses: dashboardErrorResponses, strictStatusCodes: true },
);

export type DashboardContract = typeof dashboardContract;

/** The session cookie's name. */
export const DASHBOARD_SESSION_COOKIE = '1sec_session';

/**
 * A cookie the page may read, set and cleared with the session cookie (same path and
 * lifetime), holding nothing but `1`: whether this browser may have a session, so the app
 * asks `GET /me` only then, and a first visit goes to sign-in without a 401. It proves
 * nothing; the HttpOnly session cookie alone authenticates.
 */
export const DASHBOARD_SESSION_HINT_COOKIE = '1sec_signed_in';
