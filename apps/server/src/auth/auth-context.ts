import type { Scope } from '@1security/contract';

/** Who is calling: set on the request once its API key has been verified. */
export interface AuthContext {
  tenantId: string;
  keyId: string;
  keyName: string;
  scopes: Scope[];
  rateLimit: number | null;
}

declare module 'express-serve-static-core' {
  interface Request {
    /** Present when the request carried a valid API key. */
    auth?: AuthContext;
    /** Set by `requestLog`: the X-Request-Id of this request. */
    id: string | number | object;
  }
}
