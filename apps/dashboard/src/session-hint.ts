import { DASHBOARD_SESSION_HINT_COOKIE } from '@1security/contract';
import { BASE } from './router';

/**
 * Whether this browser may be signed in: the server sets a readable hint cookie beside the
 * HttpOnly session cookie (same path, same lifetime) and clears both on sign-out. Without it
 * the app does not ask `GET /me` (whose 401 the browser would log as an error) and goes
 * straight to sign-in. It proves nothing: the API still decides with the session cookie.
 */
export function mayBeSignedIn(): boolean {
  return document.cookie.split(';').some((part) => part.trim().startsWith(`${DASHBOARD_SESSION_HINT_COOKIE}=1`));
}

/** The session is gone (the API said 401): drop the hint, so the next visit goes to sign-in without asking. */
export function forgetSessionHint(): void {
  const secure = window.location.protocol === 'https:' ? '; Secure' : '';
  document.cookie = `${DASHBOARD_SESSION_HINT_COOKIE}=; Path=${BASE}; Max-Age=0; SameSite=Strict${secure}`;
}
