import type { Me } from '@1security/contract';
import { createContext, useContext } from 'react';

/** The signed-in user, and the ways a page changes who that is. */
export interface Session {
  me: Me;
  /** The user changed (TOTP turned on or off). */
  update(me: Me): void;
  /** The session is gone (signed out, expired, ended by a password change): back to sign-in, saying why. */
  end(reason: string): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

export const SESSION_EXPIRED = 'Your session has ended. Sign in again.';
