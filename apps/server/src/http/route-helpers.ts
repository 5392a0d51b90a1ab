import type { AuthContext } from '../auth/auth-context';
import { errors } from './api-error';

/** The verified caller. Contract routes always have one (requireScope ran first). */
export function requireAuth(req: { auth?: AuthContext }): AuthContext {
  if (!req.auth) throw errors.unauthenticated();
  return req.auth;
}
