import { DASHBOARD_SESSION_COOKIE, DASHBOARD_SESSION_HINT_COOKIE, type Me } from '@1security/contract';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/database';
import { hashOpaqueToken, newOpaqueToken } from '../users/users.service';
import { deleteSession, findSession, insertSession, touchSession } from '../users/users.repository';

export interface SessionTimeouts {
  sessionIdleMs: number;
  sessionMaxMs: number;
}

/** The signed-in user of a dashboard request. */
export interface DashboardSession {
  tokenHash: string;
  me: Me;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Present when the request carried a live dashboard session cookie. */
    dashboardSession?: DashboardSession;
  }
}

function cookieToken(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === DASHBOARD_SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
    }
  }
  return undefined;
}

/**
 * Plain-HTTP localhost is the one place the cookie goes without `Secure` (a laptop start);
 * anywhere else a browser must be on HTTPS to hold a session.
 */
function secureCookie(req: Request, publicOrigin: string | undefined): boolean {
  if (publicOrigin) return publicOrigin.startsWith('https:');
  if (req.protocol === 'https') return true;
  return !['localhost', '127.0.0.1', '[::1]', '::1'].includes(req.hostname);
}

function cookieAttributes(req: Request, publicOrigin: string | undefined, httpOnly = true): string {
  return `Path=/dashboard${httpOnly ? '; HttpOnly' : ''}; SameSite=Strict${secureCookie(req, publicOrigin) ? '; Secure' : ''}`;
}

export async function startSession(
  db: Db,
  options: { req: Request; res: Response; userId: string; timeouts: SessionTimeouts; publicOrigin: string | undefined },
): Promise<void> {
  const token = newOpaqueToken();
  await insertSession(db, { tokenHash: hashOpaqueToken(token), userId: options.userId, at: new Date() });
  const maxAge = Math.floor(options.timeouts.sessionMaxMs / 1000);
  options.res.append('Set-Cookie', [
    `${DASHBOARD_SESSION_COOKIE}=${token}; ${cookieAttributes(options.req, options.publicOrigin)}; Max-Age=${maxAge}`,
    // Readable by the page, which asks GET /me only when it is there (no 401 on a first visit).
    `${DASHBOARD_SESSION_HINT_COOKIE}=1; ${cookieAttributes(options.req, options.publicOrigin, false)}; Max-Age=${maxAge}`,
  ]);
}

export function clearSessionCookie(req: Request, res: Response, publicOrigin: string | undefined): void {
  res.append('Set-Cookie', [
    `${DASHBOARD_SESSION_COOKIE}=; ${cookieAttributes(req, publicOrigin)}; Max-Age=0`,
    `${DASHBOARD_SESSION_HINT_COOKIE}=; ${cookieAttributes(req, publicOrigin, false)}; Max-Age=0`,
  ]);
}

export async function endSession(db: Db, session: DashboardSession): Promise<void> {
  await deleteSession(db, session.tokenHash);
}

/**
 * Resolves the session cookie to its user, when the session is alive: not idle longer than
 * the idle timeout, younger than the absolute lifetime, its user not disabled. A dead session
 * is deleted. Never looks at an API key: those do not authenticate here.
 */
export function loadSession(db: Db, timeouts: SessionTimeouts) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    try {
      const token = cookieToken(req);
      if (!token) return next();
      const tokenHash = hashOpaqueToken(token);
      const row = await findSession(db, tokenHash);
      if (!row) return next();
      const now = Date.now();
      const alive =
        row.disabled_at === null &&
        now - row.session_last_seen_at.getTime() < timeouts.sessionIdleMs &&
        now - row.session_created_at.getTime() < timeouts.sessionMaxMs;
      if (!alive) {
        await deleteSession(db, tokenHash);
        return next();
      }
      await touchSession(db, tokenHash, new Date(now));
      req.dashboardSession = {
        tokenHash,
        me: {
          userId: row.id,
          email: row.email,
          role: row.role,
          tenantId: row.tenant_id,
          tenantName: row.tenant_name,
          mfaEnabled: row.totp_secret !== null,
        },
      };
      next();
    } catch (err) {
      next(err);
    }
  };
}
