import {
  DASHBOARD_API_BASE_PATH,
  dashboardContract,
  type DashboardApiKey,
  type DashboardRouteMetadata,
} from '@1security/contract';
import { createExpressEndpoints, initServer } from '@ts-rest/express';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { ApiKeyRow } from '../api-keys/api-keys.table';
import { listApiKeys } from '../api-keys/api-keys.repository';
import {
  ApiKeyAlreadyRevokedError,
  createApiKey,
  ExpiryInThePastError,
  revokeApiKey,
  UnknownApiKeyError,
} from '../api-keys/api-keys.service';
import { limitAnonymous, type AuthMetrics } from '../auth/authenticate';
import {
  inTransaction,
  recordAuditEvent,
  REPEATED_SIGN_IN_FAILURE_SEVERITY,
  type AuditActor,
} from '../audit/audit-events';
import type { Config } from '../config';
import type { Db } from '../db/database';
import { ApiError, errors } from '../http/api-error';
import { toValidationError } from '../http/error-handler';
import { contractRoutes, methodNotAllowedOn } from '../http/method-not-allowed';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { verifyPassword } from '../users/password-hash';
import { acceptedTotpStep, newTotpSecret, otpauthUrl, type TotpSecretBox } from '../users/totp';
import {
  claimTotpStep,
  confirmTotpSecret,
  findUser,
  findUserByEmail,
  updateTotpSecrets,
} from '../users/users.repository';
import { storeNewPassword } from '../users/users.service';
import type { UserRow } from '../users/users.table';
import { requireSameOrigin } from './dashboard-csrf';
import { createDashboardWebhooksRouter, type DashboardWebhooksDeps } from './dashboard-webhooks.router';
import { clearSessionCookie, endSession, loadSession, startSession, type DashboardSession } from './dashboard-session';

export interface DashboardApiDeps {
  config: Pick<Config, 'apiKeyPepper' | 'publicOrigin' | 'dashboard' | 'webhooks'>;
  db: Db;
  rateLimiter: RateLimiter;
  totpSecrets: TotpSecretBox;
  metrics: AuthMetrics;
  webhookResolver?: DashboardWebhooksDeps['webhookResolver'];
}

const SIGN_IN_FAILED = 'Wrong email or password.';
const SIGN_IN_THROTTLED = 'Too many failed sign-in attempts. Wait a minute and try again.';

const s = initServer();

function statusOf(key: ApiKeyRow, now: number): DashboardApiKey['status'] {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && key.expires_at.getTime() <= now) return 'expired';
  return 'active';
}

/** A key as the dashboard lists it: never its secret, nor its hash. */
export function toDashboardApiKey(key: ApiKeyRow, now = Date.now()): DashboardApiKey {
  return {
    id: key.id,
    name: key.name,
    displayPrefix: key.display_prefix,
    scopes: key.scopes,
    rateLimit: key.rate_limit,
    createdAt: key.created_at.toISOString(),
    createdBy: key.created_by,
    lastUsedAt: key.last_used_at?.toISOString() ?? null,
    expiresAt: key.expires_at?.toISOString() ?? null,
    revokedAt: key.revoked_at?.toISOString() ?? null,
    status: statusOf(key, now),
  };
}

function sessionOf(req: Request): DashboardSession {
  if (!req.dashboardSession) throw unauthenticated();
  return req.dashboardSession;
}

const unauthenticated = () =>
  new ApiError('UNAUTHENTICATED', 'Not signed in, or the session has ended. Sign in again.');
const invalid = (parameter: string, message: string) => errors.validation([{ parameter, message }]);

function actorOf(req: Request, email: string): AuditActor {
  return { type: 'user', email, ip: req.ip ?? null };
}

/** The user behind the session, as stored now (for checks that need the password hash or TOTP). */
async function currentUser(db: Db, session: DashboardSession): Promise<UserRow> {
  const user = await findUser(db, session.me.userId);
  if (!user || user.disabled_at) throw unauthenticated();
  return user;
}

function createDashboardRouter(deps: DashboardApiDeps) {
  const { db, config, rateLimiter, totpSecrets, metrics } = deps;
  const timeouts = config.dashboard;

  return s.router(dashboardContract, {
    signIn: async ({ body, req, res }) => {
      const account = body.email.trim().toLowerCase();
      const ip = req.ip ?? 'unknown';
      const throttle = await rateLimiter.signInBlocked(account, ip);
      if (throttle.blocked) {
        res.setHeader('Retry-After', throttle.retryAfter);
        throw new ApiError('RATE_LIMITED', SIGN_IN_THROTTLED);
      }
      const user = await findUserByEmail(db, account);
      // Verified even for an unknown email (against a dummy hash): the same answer, the same time.
      const passwordOk = await verifyPassword(user?.password_hash, body.password);
      const userOk = user !== undefined && user.disabled_at === null && passwordOk;
      const totpSecret = userOk && user.totp_secret ? totpSecrets.open(user.totp_secret) : null;
      if (userOk && totpSecret && body.totp === undefined) {
        throw new ApiError('MFA_REQUIRED', 'Enter the 6-digit code from your authenticator app.');
      }
      let totpOk = totpSecret === null;
      if (userOk && totpSecret && body.totp !== undefined) {
        const step = acceptedTotpStep(totpSecret, body.totp);
        // A code already used (or an earlier one) gets the same answer as a wrong code.
        totpOk = step !== null && (await claimTotpStep(db, user.id, step));
      }
      if (!userOk || !totpOk) {
        metrics.authFailed('dashboard_sign_in');
        const [accountDecision, ipDecision] = await Promise.all([
          rateLimiter.consumeSignInFailure(account),
          rateLimiter.consumeAuthFailure(ip),
        ]);
        if (user) {
          await recordAuditEvent(db, {
            tenantId: user.tenant_id,
            action: 'UserSignInFailed',
            actor: actorOf(req, user.email),
            resourceType: 'user',
            resourceName: user.email,
            ...(accountDecision.remaining === 0 ? { severity: REPEATED_SIGN_IN_FAILURE_SEVERITY } : {}),
          });
        }
        if (!accountDecision.allowed || !ipDecision.allowed) {
          res.setHeader('Retry-After', Math.max(accountDecision.retryAfter, ipDecision.retryAfter));
          throw new ApiError('RATE_LIMITED', SIGN_IN_THROTTLED);
        }
        if (userOk && !totpOk) throw new ApiError('MFA_REQUIRED', 'That code is not valid. Enter the current code.');
        throw new ApiError('UNAUTHENTICATED', SIGN_IN_FAILED);
      }
      await rateLimiter.resetSignInFailures(account);
      await inTransaction(db, async (trx) => {
        await startSession(trx, { req, res, userId: user.id, timeouts, publicOrigin: config.publicOrigin });
        await recordAuditEvent(trx, {
          tenantId: user.tenant_id,
          action: 'UserSignedIn',
          actor: actorOf(req, user.email),
          resourceType: 'user',
          resourceName: user.email,
        });
      });
      const tenant = await db
        .selectFrom('tenants')
        .select('name')
        .where('id', '=', user.tenant_id)
        .executeTakeFirstOrThrow();
      return {
        status: 200,
        body: {
          data: {
            userId: user.id,
            email: user.email,
            role: user.role,
            tenantId: user.tenant_id,
            tenantName: tenant.name,
            mfaEnabled: user.totp_secret !== null,
          },
        },
      };
    },

    signOut: async ({ req, res }) => {
      await endSession(db, sessionOf(req));
      clearSessionCookie(req, res, config.publicOrigin);
      return { status: 204, body: undefined };
    },

    getMe: async ({ req }) => ({ status: 200, body: { data: sessionOf(req).me } }),

    setPassword: async ({ body, req, res }) => {
      if ('token' in body) {
        const ok = await storeNewPassword(db, { token: body.token, newPassword: body.newPassword, ip: req.ip ?? null });
        if (!ok) {
          throw invalid(
            'token',
            'This set-password link has already been used or has expired. Ask your admin for a new one.',
          );
        }
      } else {
        const user = await currentUser(db, sessionOf(req));
        if (!(await verifyPassword(user.password_hash, body.currentPassword))) {
          throw invalid('currentPassword', 'is not your current password');
        }
        await storeNewPassword(db, { userId: user.id, newPassword: body.newPassword, ip: req.ip ?? null });
        // Every session of the user has ended, this one included: sign in again.
        clearSessionCookie(req, res, config.publicOrigin);
      }
      return { status: 204, body: undefined };
    },

    listApiKeys: async ({ req }) => {
      const rows = await listApiKeys(db, sessionOf(req).me.tenantId, 'newest');
      const now = Date.now();
      return { status: 200, body: { data: rows.map((row) => toDashboardApiKey(row, now)) } };
    },

    createApiKey: async ({ body, req }) => {
      const { me } = sessionOf(req);
      if (body.rateLimit != null && body.rateLimit > config.dashboard.maxKeyRateLimit) {
        throw invalid('rateLimit', `must be at most ${config.dashboard.maxKeyRateLimit} requests per minute`);
      }
      try {
        const { key, secret } = await createApiKey(db, config.apiKeyPepper, {
          tenantId: me.tenantId,
          name: body.name,
          scopes: body.scopes,
          rateLimit: body.rateLimit ?? null,
          expiresAt: body.expiresAt ?? null,
          actor: actorOf(req, me.email),
        });
        return { status: 201, body: { data: { key: toDashboardApiKey(key), secret } } };
      } catch (err) {
        if (err instanceof ExpiryInThePastError) throw invalid('expiresAt', 'must be in the future');
        throw err;
      }
    },

    revokeApiKey: async ({ params, req }) => {
      const { me } = sessionOf(req);
      try {
        const key = await revokeApiKey(db, {
          keyId: params.id.toUpperCase(),
          tenantId: me.tenantId,
          actor: actorOf(req, me.email),
        });
        return { status: 200, body: { data: toDashboardApiKey(key) } };
      } catch (err) {
        if (err instanceof UnknownApiKeyError) throw errors.notFound('No API key with this id.');
        if (err instanceof ApiKeyAlreadyRevokedError) {
          throw new ApiError('CONFLICT', `This API key was already revoked at ${err.key.revoked_at?.toISOString()}.`);
        }
        throw err;
      }
    },

    startTotpEnrolment: async ({ req }) => {
      const user = await currentUser(db, sessionOf(req));
      if (user.totp_secret)
        throw new ApiError('CONFLICT', 'TOTP is already enrolled. Disable it first to enrol again.');
      const secret = newTotpSecret();
      await updateTotpSecrets(db, user.id, { totp_pending_secret: totpSecrets.seal(secret) });
      return { status: 200, body: { data: { secret, otpauthUrl: otpauthUrl(secret, user.email) } } };
    },

    confirmTotpEnrolment: async ({ body, req }) => {
      const user = await currentUser(db, sessionOf(req));
      if (user.totp_secret) throw new ApiError('CONFLICT', 'TOTP is already enrolled.');
      if (!user.totp_pending_secret) {
        throw new ApiError('CONFLICT', 'No TOTP enrolment in progress: start one first.');
      }
      const pendingSecret = user.totp_pending_secret;
      const step = acceptedTotpStep(totpSecrets.open(pendingSecret), body.code);
      const notCurrent = () =>
        invalid('code', 'is not the current code of this secret; check the device clock and try again');
      if (step === null) throw notCurrent();
      await inTransaction(db, async (trx) => {
        // False when a concurrent confirm already used this code, or the enrolment was restarted.
        if (!(await confirmTotpSecret(trx, { userId: user.id, pendingSecret, step }))) throw notCurrent();
        await recordAuditEvent(trx, {
          tenantId: user.tenant_id,
          action: 'MfaEnrolled',
          actor: actorOf(req, user.email),
          resourceType: 'user',
          resourceName: user.email,
        });
      });
      return { status: 204, body: undefined };
    },

    disableTotp: async ({ body, req }) => {
      const user = await currentUser(db, sessionOf(req));
      if (!(await verifyPassword(user.password_hash, body.password))) {
        throw invalid('password', 'is not your current password');
      }
      if (!user.totp_secret) throw new ApiError('CONFLICT', 'TOTP is not enrolled.');
      await inTransaction(db, async (trx) => {
        // The last step belongs to the secret being dropped; a new one starts afresh.
        await updateTotpSecrets(trx, user.id, { totp_secret: null, totp_pending_secret: null, totp_last_step: null });
        await recordAuditEvent(trx, {
          tenantId: user.tenant_id,
          action: 'MfaDisabled',
          actor: actorOf(req, user.email),
          resourceType: 'user',
          resourceName: user.email,
        });
      });
      return { status: 204, body: undefined };
    },

    webhooks: createDashboardWebhooksRouter(deps),
  });
}

/** Enforces each route's `access`: signed in for `user`, an admin for `admin`. */
function requireAccess(config: DashboardApiDeps['config']) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const metadata = (req as Request & { tsRestRoute?: { metadata?: DashboardRouteMetadata } }).tsRestRoute?.metadata;
    const access = metadata?.access ?? 'admin';
    if (access === 'public') return next();
    const session = req.dashboardSession;
    if (!session) return next(unauthenticated());
    if (access === 'admin') {
      if (session.me.role !== 'admin') {
        const page = req.originalUrl.startsWith(`${DASHBOARD_API_BASE_PATH}/webhooks`) ? 'Webhooks' : 'API Keys';
        return next(new ApiError('FORBIDDEN', `Settings → ${page} is for admins only.`));
      }
      if (config.dashboard.requireMfa && !session.me.mfaEnabled) {
        return next(
          new ApiError(
            'MFA_ENROLMENT_REQUIRED',
            'Enrol an authenticator app (TOTP) in your account before opening Settings.',
          ),
        );
      }
    }
    next();
  };
}

/**
 * The dashboard's API under `/dashboard/api`: session cookie only (an API key is never
 * looked at), Origin-checked mutations, JSON bodies. Unknown paths under it are 404s.
 */
export function createDashboardApi(deps: DashboardApiDeps): Router {
  // Express's defaults, which the 405 check below matches paths by: case-insensitive, trailing slash optional.
  const router = express.Router({ caseSensitive: false, strict: false });
  router.use(
    DASHBOARD_API_BASE_PATH,
    limitAnonymous(deps.rateLimiter),
    requireSameOrigin(deps.config.publicOrigin),
    express.json({ limit: DASHBOARD_BODY_LIMIT_BYTES }),
    loadSession(deps.db, deps.config.dashboard),
  );
  createExpressEndpoints(dashboardContract, createDashboardRouter(deps), router, {
    responseValidation: false,
    globalMiddleware: [requireAccess(deps.config)],
    requestValidationErrorHandler: (err, _req, _res, next) => next(toValidationError(err)),
  });
  // A known path with another method (PUT /dashboard/api/api-keys): 405 with `Allow`, not a 404.
  router.use(methodNotAllowedOn(contractRoutes(dashboardContract), { caseSensitive: false, strict: false }));
  router.use(DASHBOARD_API_BASE_PATH, (_req, _res, next) => next(errors.notFound()));
  router.use(DASHBOARD_API_BASE_PATH, bodyTooLarge);
  return router;
}

/** The largest JSON body the dashboard API reads; every form it takes fits with room to spare. */
export const DASHBOARD_BODY_LIMIT_BYTES = 16 * 1024;

/** The JSON parser's refusal of a body over {@link DASHBOARD_BODY_LIMIT_BYTES}: 413, saying so (not a 400). */
function bodyTooLarge(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  if ((err as { type?: unknown } | null)?.type !== 'entity.too.large') return next(err);
  next(
    new ApiError(
      'PAYLOAD_TOO_LARGE',
      `The request body is too large: the dashboard API accepts at most ${DASHBOARD_BODY_LIMIT_BYTES / 1024} KiB of JSON.`,
    ),
  );
}
