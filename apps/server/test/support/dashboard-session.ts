import { expect } from 'vitest';
import type { UserRole } from '@1security/contract';
import { CLI_ACTOR } from '../../src/audit/audit-events';
import { createUser } from '../../src/users/users.service';
import type { TestDatabase } from './test-database';

export const PASSWORD = 'correct horse battery staple';

/** A browser-like caller of the dashboard API: same-origin, JSON, carries its session cookie. */
export class DashboardCaller {
  cookie: string | undefined;
  lastSetCookie: string[] = [];

  constructor(
    readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async call(method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
    const res = await fetch(`${this.origin}/dashboard/api${path}`, {
      method,
      headers: {
        origin: this.origin,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...this.headers,
        ...extra,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    this.lastSetCookie = res.headers.getSetCookie();
    const session = this.lastSetCookie.find((c) => c.startsWith('1sec_session='));
    if (session) {
      const value = session.split(';')[0]!;
      this.cookie = value === '1sec_session=' ? undefined : value;
    }
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, headers: res.headers, text, json: (text ? JSON.parse(text) : undefined) as any };
  }

  signIn(email: string, password = PASSWORD, totp?: string) {
    return this.call('POST', '/session', { email, password, ...(totp ? { totp } : {}) });
  }
}

/** A user with a password set through their one-time link, as a person would. */
export async function createUserWithPassword(
  database: TestDatabase,
  origin: string,
  options: { tenantId: string; email: string; role: UserRole },
) {
  const link = await createUser(database.db, { ...options, actor: CLI_ACTOR });
  const set = await new DashboardCaller(origin).call('POST', '/password', { token: link.token, newPassword: PASSWORD });
  expect(set.status, set.text).toBe(204);
  return { userId: link.user.id, token: link.token };
}
