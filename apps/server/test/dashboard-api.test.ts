import type { LogEvent } from '@1security/contract';
import { ulid } from 'ulid';
import { TOTP, Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ACTOR } from '../src/audit/audit-events';
import { createTenant } from '../src/tenants/tenants.repository';
import { claimTotpStep } from '../src/users/users.repository';
import { createUser, disableUser } from '../src/users/users.service';
import { createUserWithPassword, DashboardCaller, PASSWORD } from './support/dashboard-session';
import { readAuditFeed } from './support/audit-feed';
import { createKey, startTestServer, type TestServer } from './support/test-server';
import { createTestDatabase, ENGINE, type TestDatabase } from './support/test-database';

const unique = (what: string) => `${what}-${ulid().toLowerCase()}@contoso.example`;

describe(`dashboard API (${ENGINE})`, () => {
  let database: TestDatabase;
  let server: TestServer;
  let origin: string;
  let tenantA: string;
  let tenantB: string;
  let adminA: string;
  let adminB: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, {
      dashboard: {
        sessionIdleMs: 30 * 60_000,
        sessionMaxMs: 12 * 3_600_000,
        requireMfa: false,
        signInFailuresPerMinute: 3,
        maxKeyRateLimit: 5_000,
      },
    });
    origin = server.url;
    tenantA = (await createTenant(database.db, 'Tenant A')).id;
    tenantB = (await createTenant(database.db, 'Tenant B')).id;
    adminA = unique('admin-a');
    adminB = unique('admin-b');
    await createUserWithPassword(database, origin, { tenantId: tenantA, email: adminA, role: 'admin' });
    await createUserWithPassword(database, origin, { tenantId: tenantB, email: adminB, role: 'admin' });
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  const signedIn = async (email: string) => {
    const caller = new DashboardCaller(origin);
    const res = await caller.signIn(email);
    expect(res.status, res.text).toBe(200);
    return caller;
  };
  /** The tenant's audit log as its SIEM reads it, through a key of its own, once `ready`. */
  const auditLog = async (tenantId: string, ready?: (events: LogEvent[]) => boolean) => {
    const reader = await createKey(database, tenantId, { scopes: ['logs:read'] });
    return readAuditFeed(server.url, reader.secret, ready);
  };
  const ping = (secret: string) => fetch(`${server.baseUrl}/ping`, { headers: { authorization: `Bearer ${secret}` } });

  it('signs in with a cookie that is HttpOnly, SameSite=Strict, Path=/dashboard, and not Secure on plain-HTTP localhost', async () => {
    const caller = new DashboardCaller(origin);
    const res = await caller.signIn(adminA.toUpperCase());
    expect(res.status, res.text).toBe(200);
    expect(res.json.data).toMatchObject({
      email: adminA,
      role: 'admin',
      tenantId: tenantA,
      tenantName: 'Tenant A',
      mfaEnabled: false,
    });
    const cookie = caller.lastSetCookie.find((c) => c.startsWith('1sec_session='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/dashboard(;|$)/);
    expect(cookie).not.toMatch(/Secure/);
    const me = await caller.call('GET', '/me');
    expect(me.json.data.email).toBe(adminA);
  });

  it('a set-password link works once', async () => {
    const email = unique('once');
    const { token } = await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'analyst' });
    const again = await new DashboardCaller(origin).call('POST', '/password', {
      token,
      newPassword: 'another long password',
    });
    expect(again.status).toBe(400);
    expect(again.json.error.code).toBe('VALIDATION_ERROR');
    const short = await new DashboardCaller(origin).call('POST', '/password', { token, newPassword: 'short' });
    expect(short.status).toBe(400);
    expect(short.json.error.details[0].message).toMatch(/at least 12 characters/);
  });

  it('a key created in the dashboard works on /api/v1 with its scopes, its secret appears once, and it is 401 right after revoke', async () => {
    const admin = await signedIn(adminA);
    const created = await admin.call('POST', '/api-keys', {
      name: 'Splunk prod',
      scopes: ['logs:read', 'security-alerts:read'],
    });
    expect(created.status, created.text).toBe(201);
    const { key, secret } = created.json.data;
    expect(secret).toMatch(/^1sec_live_/);
    expect(key).toMatchObject({ name: 'Splunk prod', createdBy: adminA, status: 'active', revokedAt: null });

    const pinged = await ping(secret);
    expect(pinged.status).toBe(200);
    expect(((await pinged.json()) as { data: unknown }).data).toMatchObject({
      tenantId: tenantA,
      keyId: key.id,
      scopes: ['logs:read', 'security-alerts:read'],
    });

    const list = await admin.call('GET', '/api-keys');
    expect(list.status).toBe(200);
    expect(list.json.data[0].id).toBe(key.id); // newest first
    expect(list.text).not.toContain(secret);
    expect(list.text).not.toContain(secret.slice(16));

    const revoked = await admin.call('POST', `/api-keys/${key.id}/revoke`);
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.json.data.status).toBe('revoked');
    expect((await ping(secret)).status).toBe(401);

    const again = await admin.call('POST', `/api-keys/${key.id}/revoke`);
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('CONFLICT');

    // The tenant's audit log holds the creation and the revocation, and no secret.
    const log = await auditLog(tenantA, (events) => events.some((e) => e.action === 'ApiKeyRevoked'));
    expect(log.text).not.toContain(secret);
    expect(log.text).not.toContain(secret.slice(16));
    const events = log.events.filter((e) => e.workload === '1Security');
    const mine = events.filter((e) => e.resourceName === 'Splunk prod');
    expect(mine.map((e) => e.action)).toEqual(['ApiKeyCreated', 'ApiKeyRevoked']);
    expect(mine[1]).toMatchObject({ actorType: 'user', actorName: adminA, resourceType: 'apiKey', severity: 'medium' });
    expect(events.some((e) => e.action === 'UserSignedIn' && e.actorName === adminA)).toBe(true);
    expect(events.some((e) => e.action === 'UserCreated' && e.actorName === 'cli' && e.actorType === 'system')).toBe(
      true,
    );

    // …and only that tenant's.
    const other = await auditLog(tenantB, (events) => events.some((e) => e.resourceName === adminB));
    expect(other.text).not.toContain('Splunk prod');
    expect(other.text).not.toContain(adminA);
    expect(other.events.some((e) => e.resourceName === adminB)).toBe(true);
  });

  it('answers bad input with a 4xx envelope that says what is wrong', async () => {
    const admin = await signedIn(adminA);
    const cases: Array<[unknown, string, RegExp]> = [
      [{ name: '', scopes: ['logs:read'] }, 'name', /must not be empty/],
      [{ name: '   ', scopes: ['logs:read'] }, 'name', /must not be empty/],
      [{ name: 'x'.repeat(300), scopes: ['logs:read'] }, 'name', /at most 100 characters/],
      [{ name: 'k', scopes: [] }, 'scopes', /at least one/],
      [{ name: 'k' }, 'scopes', /required/],
      [{ name: 'k', scopes: ['logs:write'] }, 'scopes', /./],
      [{ name: 'k', scopes: ['logs:read'], expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt', /in the future/],
      [{ name: 'k', scopes: ['logs:read'], expiresAt: 'tomorrow' }, 'expiresAt', /RFC 3339 date-time/],
      // The public API's timestamp rules: an impossible date is refused, never rolled over.
      [{ name: 'k', scopes: ['logs:read'], expiresAt: '2027-02-30T00:00:00Z' }, 'expiresAt', /not a real date/],
      [{ name: 'k', scopes: ['logs:read'], expiresAt: '2027-01-01T24:00:00Z' }, 'expiresAt', /RFC 3339 date-time/],
      [{ name: 'k', scopes: ['logs:read'], rateLimit: 999_999 }, 'rateLimit', /at most 5000/],
    ];
    for (const [body, parameter, message] of cases) {
      const res = await admin.call('POST', '/api-keys', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe('VALIDATION_ERROR');
      const detail = res.json.error.details.find((d: { parameter: string }) => d.parameter === parameter);
      expect(detail?.message, res.text).toMatch(message);
    }
    const malformed = await admin.call('POST', '/api-keys', undefined, {
      'content-type': 'application/json',
      'content-length': '3',
    });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
  });

  it("another tenant's key id is a 404, and the key stays active", async () => {
    const other = await createKey(database, tenantB);
    const admin = await signedIn(adminA);
    const res = await admin.call('POST', `/api-keys/${other.keyId}/revoke`);
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('NOT_FOUND');
    expect((await ping(other.secret)).status).toBe(200);
    const list = await admin.call('GET', '/api-keys');
    expect(list.json.data.map((k: { id: string }) => k.id)).not.toContain(other.keyId);
  });

  it('an API key is never a dashboard credential, and a session never reaches /api/v1', async () => {
    const key = await createKey(database, tenantA);
    for (const headers of [{ authorization: `Bearer ${key.secret}` }, { 'x-api-key': key.secret }] as Array<
      Record<string, string>
    >) {
      const caller = new DashboardCaller(origin, headers);
      expect((await caller.call('GET', '/me')).status).toBe(401);
      const keys = await caller.call('GET', '/api-keys');
      expect(keys.status).toBe(401);
      expect(keys.json.error.code).toBe('UNAUTHENTICATED');
    }
    const admin = await signedIn(adminA);
    const viaSession = await fetch(`${server.baseUrl}/ping`, { headers: { cookie: admin.cookie! } });
    expect(viaSession.status).toBe(401);
    const logs = await fetch(`${server.baseUrl}/logs`, { headers: { cookie: admin.cookie!, origin } });
    expect(logs.status).toBe(401);
  });

  it('refuses a mutation with a forged or missing Origin, or a non-JSON body (403)', async () => {
    const admin = await signedIn(adminA);
    const body = { name: 'csrf', scopes: ['logs:read'] };
    const forged = await admin.call('POST', '/api-keys', body, { origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(forged.json.error.code).toBe('FORBIDDEN');
    const res = await fetch(`${origin}/dashboard/api/api-keys`, {
      method: 'POST',
      headers: { cookie: admin.cookie!, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(403);
    const form = await fetch(`${origin}/dashboard/api/api-keys`, {
      method: 'POST',
      headers: { cookie: admin.cookie!, origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=csrf&scopes=logs:read',
    });
    expect(form.status).toBe(403);
    const signOut = await admin.call('DELETE', '/session', undefined, { origin: 'null' });
    expect(signOut.status).toBe(403);
    const list = await admin.call('GET', '/api-keys');
    expect(list.json.data.map((k: { name: string }) => k.name)).not.toContain('csrf');
  });

  it('sets a readable session hint beside the session cookie, with its path and lifetime, and clears both on sign-out and password change', async () => {
    const email = unique('hinted');
    await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'admin' });
    const caller = new DashboardCaller(origin);
    expect((await caller.signIn(email)).status).toBe(200);
    const session = caller.lastSetCookie.find((c) => c.startsWith('1sec_session='))!;
    const hint = caller.lastSetCookie.find((c) => c.startsWith('1sec_signed_in='))!;
    // Nothing in it but "1": the page may read it, and it authenticates nothing.
    expect(hint.split(';')[0]).toBe('1sec_signed_in=1');
    expect(hint).not.toMatch(/HttpOnly/);
    expect(hint).toMatch(/; Path=\/dashboard(;|$)/);
    expect(hint).toMatch(/; SameSite=Strict/);
    expect(hint.match(/Max-Age=\d+/)?.[0]).toBe(session.match(/Max-Age=\d+/)?.[0]);
    expect(hint).toMatch(/Max-Age=43200/);
    const hintOnly = new DashboardCaller(origin, { cookie: '1sec_signed_in=1' });
    expect((await hintOnly.call('GET', '/me')).status).toBe(401);

    const cleared = (setCookie: string[]) =>
      ['1sec_session', '1sec_signed_in'].map((name) =>
        setCookie.find((c) => c.startsWith(`${name}=;`) && /Max-Age=0(;|$)/.test(c) && /Path=\/dashboard/.test(c)),
      );
    expect((await caller.call('DELETE', '/session')).status).toBe(204);
    expect(cleared(caller.lastSetCookie)).toEqual([expect.any(String), expect.any(String)]);

    expect((await caller.signIn(email)).status).toBe(200);
    const changed = await caller.call('POST', '/password', {
      currentPassword: PASSWORD,
      newPassword: 'another passphrase entirely',
    });
    expect(changed.status, changed.text).toBe(204);
    expect(cleared(caller.lastSetCookie)).toEqual([expect.any(String), expect.any(String)]);
  });

  it('a session ends with sign-out, with a password change, and when the user is disabled (401)', async () => {
    const admin = await signedIn(adminA);
    const stolen = admin.cookie;
    expect((await admin.call('DELETE', '/session')).status).toBe(204);
    expect(admin.cookie).toBeUndefined();
    const replay = new DashboardCaller(origin);
    replay.cookie = stolen;
    expect((await replay.call('GET', '/me')).status).toBe(401);

    const email = unique('doomed');
    const { userId } = await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'admin' });
    const first = await signedIn(email);
    const second = await signedIn(email);
    const changed = await first.call('POST', '/password', {
      currentPassword: PASSWORD,
      newPassword: 'a brand new passphrase',
    });
    expect(changed.status, changed.text).toBe(204);
    expect((await second.call('GET', '/me')).status).toBe(401);
    const third = new DashboardCaller(origin);
    expect((await third.signIn(email, 'a brand new passphrase')).status).toBe(200);
    await disableUser(database.db, userId, CLI_ACTOR);
    expect((await third.call('GET', '/me')).status).toBe(401);
    expect((await new DashboardCaller(origin).signIn(email, 'a brand new passphrase')).status).toBe(401);
  });

  it('an analyst signs in but gets 403 on every key route', async () => {
    const email = unique('analyst');
    await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'analyst' });
    const analyst = await signedIn(email);
    expect((await analyst.call('GET', '/me')).json.data.role).toBe('analyst');
    for (const [method, path, body] of [
      ['GET', '/api-keys', undefined],
      ['POST', '/api-keys', { name: 'nope', scopes: ['logs:read'] }],
      ['POST', `/api-keys/${ulid()}/revoke`, undefined],
    ] as const) {
      const res = await analyst.call(method, path, body);
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('FORBIDDEN');
      expect(res.json.error.message).toMatch(/admins only/);
    }
  });

  it('throttles sign-in per account after the threshold, with a generic message; success resets the account', async () => {
    const email = unique('target');
    await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'admin' });
    const attacker = new DashboardCaller(origin);
    const unknown = await attacker.signIn(unique('nobody'), 'whatever password');
    const wrong = await attacker.signIn(email, 'wrong password!!');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.json.error.message).toBe(wrong.json.error.message);
    expect(unknown.json.error.code).toBe('UNAUTHENTICATED');

    // Budget 3: one spent above, a success resets it, then three failures, then 429.
    expect((await new DashboardCaller(origin).signIn(email)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await attacker.signIn(email, `wrong password ${i}`)).status).toBe(401);
    const blocked = await attacker.signIn(email, 'wrong password 4');
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe('RATE_LIMITED');
    expect(blocked.json.error.message).not.toContain(email);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even the right password is refused while blocked.
    expect((await new DashboardCaller(origin).signIn(email)).status).toBe(429);

    const failed = (e: LogEvent) => e.action === 'UserSignInFailed' && e.resourceName === email;
    const log = await auditLog(tenantA, (events) => events.filter(failed).length >= 4);
    const failures = log.events.filter(failed);
    expect(failures.length).toBe(4);
    expect(failures.map((e) => e.severity)).toEqual(['low', 'low', 'low', 'high']);
  });

  it('TOTP: enrol with a code, then sign-in needs one (401 MFA_REQUIRED without), then disable', async () => {
    const email = unique('mfa');
    await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'admin' });
    const user = await signedIn(email);
    const started = await user.call('POST', '/mfa/totp');
    expect(started.status, started.text).toBe(200);
    const { secret, otpauthUrl } = started.json.data;
    expect(otpauthUrl).toMatch(/^otpauth:\/\/totp\//);
    const totp = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
    const wrongCode = totp.generate() === '000000' ? '111111' : '000000';
    expect((await user.call('POST', '/mfa/totp/confirm', { code: wrongCode })).status).toBe(400);
    expect((await user.call('POST', '/mfa/totp/confirm', { code: totp.generate() })).status).toBe(204);
    expect((await user.call('GET', '/me')).json.data.mfaEnabled).toBe(true);

    const withoutCode = await new DashboardCaller(origin).signIn(email);
    expect(withoutCode.status).toBe(401);
    expect(withoutCode.json.error.code).toBe('MFA_REQUIRED');
    expect(withoutCode.headers.getSetCookie()).toEqual([]);
    // The next step's code: the one that confirmed the enrolment is used up.
    const withCode = await new DashboardCaller(origin).signIn(
      email,
      PASSWORD,
      totp.generate({ timestamp: Date.now() + 30_000 }),
    );
    expect(withCode.status, withCode.text).toBe(200);
    expect(withCode.json.data.mfaEnabled).toBe(true);

    expect((await user.call('DELETE', '/mfa/totp', { password: 'not my password' })).status).toBe(400);
    expect((await user.call('DELETE', '/mfa/totp', { password: PASSWORD })).status).toBe(204);
    expect((await new DashboardCaller(origin).signIn(email)).status).toBe(200);

    const secretRow = await database.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_pending_secret'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(secretRow.totp_secret).toBeNull();
    const log = await auditLog(tenantA, (events) =>
      events.some((e) => e.action === 'MfaDisabled' && e.resourceName === email),
    );
    expect(log.text).not.toContain(secret);
    const actions = log.events.filter((e) => e.resourceName === email).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['UserCreated', 'PasswordChanged', 'MfaEnrolled', 'MfaDisabled']));
  });

  /** A signed-in user with TOTP enrolled, the step of the code that confirmed it, and the code of any step. */
  const enrolledWithTotp = async (email: string) => {
    await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'admin' });
    const user = await signedIn(email);
    const started = await user.call('POST', '/mfa/totp');
    expect(started.status, started.text).toBe(200);
    const totp = new TOTP({ secret: Secret.fromBase32(started.json.data.secret), digits: 6, period: 30 });
    const codeOf = (step: number) => totp.generate({ timestamp: step * 30_000 });
    const step = TOTP.counter({ period: 30 });
    const confirmed = await user.call('POST', '/mfa/totp/confirm', { code: codeOf(step) });
    expect(confirmed.status, confirmed.text).toBe(204);
    return { user, step, codeOf };
  };

  it('TOTP: a code is accepted once; a reused or earlier one is refused like a wrong one (RFC 6238 §5.2)', async () => {
    const email = unique('mfa-once');
    const { step, codeOf } = await enrolledWithTotp(email);

    const reusedEnrolmentCode = await new DashboardCaller(origin).signIn(email, PASSWORD, codeOf(step));
    expect(reusedEnrolmentCode.status).toBe(401);
    expect(reusedEnrolmentCode.json.error.code).toBe('MFA_REQUIRED');
    expect(reusedEnrolmentCode.headers.getSetCookie()).toEqual([]);

    const next = await new DashboardCaller(origin).signIn(email, PASSWORD, codeOf(step + 1));
    expect(next.status, next.text).toBe(200);
    const again = await new DashboardCaller(origin).signIn(email, PASSWORD, codeOf(step + 1));
    expect(again.status).toBe(401);
    expect(again.json.error.code).toBe('MFA_REQUIRED');
    expect(again.json.error.message).toBe(reusedEnrolmentCode.json.error.message);
    // Still inside the ±1 window, but older than the last accepted step.
    const earlier = await new DashboardCaller(origin).signIn(email, PASSWORD, codeOf(step));
    expect(earlier.status).toBe(401);

    const failed = (e: LogEvent) => e.action === 'UserSignInFailed' && e.resourceName === email;
    const log = await auditLog(tenantA, (events) => events.filter(failed).length >= 3);
    expect(log.events.filter(failed).length).toBe(3);
  });

  it('TOTP: two sign-ins racing with one code, exactly one gets a session', async () => {
    const email = unique('mfa-race');
    const { step, codeOf } = await enrolledWithTotp(email);
    const code = codeOf(step + 1);
    // Three, within the account's failure budget of 3, so the losers are 401 and not 429.
    const results = await Promise.all([0, 1, 2].map(() => new DashboardCaller(origin).signIn(email, PASSWORD, code)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect(results.filter((r) => r.status === 401).map((r) => r.json.error.code)).toEqual([
      'MFA_REQUIRED',
      'MFA_REQUIRED',
    ]);
    const sessions = await database.db
      .selectFrom('user_sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select('s.token_hash')
      .where('u.email', '=', email)
      .execute();
    expect(sessions.length).toBe(2); // the enrolling session and the one winner
  });

  it('TOTP: claiming one step many times at once, on the real database, succeeds exactly once', async () => {
    // Argon2 spreads concurrent sign-ins apart in time; here the claims really overlap.
    const link = await createUser(database.db, {
      tenantId: tenantA,
      email: unique('mfa-claim'),
      role: 'analyst',
      actor: CLI_ACTOR,
    });
    const claims = await Promise.all(
      Array.from({ length: 8 }, () => claimTotpStep(database.db, link.user.id, 60_000_000)),
    );
    expect(claims.filter(Boolean).length).toBe(1);
    expect(await claimTotpStep(database.db, link.user.id, 59_999_999)).toBe(false);
    expect(await claimTotpStep(database.db, link.user.id, 60_000_001)).toBe(true);
  });

  it('TOTP: two confirms racing with one code, exactly one enrols', async () => {
    const email = unique('mfa-confirm-race');
    await createUserWithPassword(database, origin, { tenantId: tenantA, email, role: 'admin' });
    const user = await signedIn(email);
    const started = await user.call('POST', '/mfa/totp');
    const totp = new TOTP({ secret: Secret.fromBase32(started.json.data.secret), digits: 6, period: 30 });
    const code = totp.generate();
    const results = await Promise.all([0, 1].map(() => user.call('POST', '/mfa/totp/confirm', { code })));
    const statuses = results.map((r) => r.status).sort();
    // The loser either saw the enrolment done (409) or lost the claim on the code (400, as a wrong code).
    expect(statuses[0]).toBe(204);
    expect([400, 409]).toContain(statuses[1]);
    const enrolled = (e: LogEvent) => e.action === 'MfaEnrolled' && e.resourceName === email;
    const log = await auditLog(tenantA, (events) => events.some(enrolled));
    expect(log.events.filter(enrolled).length).toBe(1);
  });

  it('unknown routes under /dashboard/api are 404 envelopes; no session is 401', async () => {
    const res = await new DashboardCaller(origin).call('GET', '/no-such-thing');
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe('NOT_FOUND');
    const anonymous = await new DashboardCaller(origin).call('GET', '/api-keys');
    expect(anonymous.status).toBe(401);
  });

  it('another method on a known path is 405 with an Allow header naming its methods, in the error envelope', async () => {
    const caller = await signedIn(adminA);
    const cases: Array<[method: string, path: string, allow: string]> = [
      ['PUT', '/api-keys', 'GET, HEAD, POST'],
      ['DELETE', '/api-keys', 'GET, HEAD, POST'],
      ['PATCH', '/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV/revoke', 'POST'],
      ['GET', '/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV/revoke', 'POST'],
      ['PUT', '/session', 'POST, DELETE'],
      ['GET', '/session', 'POST, DELETE'],
      ['POST', '/me', 'GET, HEAD'],
      ['PUT', '/mfa/totp', 'POST, DELETE'],
      ['DELETE', '/webhooks', 'GET, HEAD, POST'],
      // Matched as the routes are: case-insensitive, a trailing slash allowed.
      ['PUT', '/API-KEYS/', 'GET, HEAD, POST'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await caller.call(method, path, method === 'GET' ? undefined : {});
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(res.json.error, `${method} ${path}`).toMatchObject({
        code: 'METHOD_NOT_ALLOWED',
        message: `${method} is not allowed on this path; it allows ${allow}.`,
        requestId: res.headers.get('x-request-id'),
      });
    }
    // Without a session, too: the path's methods are no secret, and no route ran.
    const anonymous = await new DashboardCaller(origin).call('PUT', '/api-keys', {});
    expect(anonymous.status).toBe(405);
    expect(anonymous.headers.get('allow')).toBe('GET, HEAD, POST');
    // The methods a path has still answer, and a path that does not exist stays a 404.
    expect((await caller.call('GET', '/api-keys')).status).toBe(200);
    expect((await caller.call('HEAD', '/me')).status).toBe(200);
    const unknown = await caller.call('PUT', '/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('allow')).toBeNull();
    expect(unknown.json.error.code).toBe('NOT_FOUND');
  });

  it('a JSON body over the size limit is 413 with the error envelope; one under it is read', async () => {
    const caller = await signedIn(adminA);
    const before = (await caller.call('GET', '/api-keys')).json.data.length;
    // Valid JSON of about 20 KiB: refused for its size alone, before it is parsed or validated.
    const tooLarge = await caller.call('POST', '/api-keys', {
      name: 'big',
      scopes: ['logs:read'],
      pad: 'x'.repeat(20_000),
    });
    expect(tooLarge.status, tooLarge.text).toBe(413);
    expect(tooLarge.headers.get('content-type')).toMatch(/^application\/json/);
    expect(tooLarge.json.error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The request body is too large: the dashboard API accepts at most 16 KiB of JSON.',
      requestId: tooLarge.headers.get('x-request-id'),
    });
    expect((await caller.call('GET', '/api-keys')).json.data.length).toBe(before);
    // Sign-in too, with no session: the limit is the API's, not a signed-in user's.
    const signIn = await new DashboardCaller(origin).call('POST', '/session', {
      email: adminA,
      password: 'p'.repeat(20_000),
    });
    expect(signIn.status).toBe(413);
    expect(signIn.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Just under the limit: read, and judged on its content (an unknown field is a 400).
    const underLimit = await caller.call('POST', '/api-keys', {
      name: 'big',
      scopes: ['logs:read'],
      pad: 'x'.repeat(15_000),
    });
    expect(underLimit.status, underLimit.text).toBe(400);
    expect(underLimit.json.error.code).toBe('VALIDATION_ERROR');
    // Malformed JSON, however short, is still a 400.
    const malformed = await fetch(`${origin}/dashboard/api/api-keys`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', cookie: caller.cookie! },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_ERROR');
  });
});

describe(`dashboard sessions time out (${ENGINE})`, () => {
  let database: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, {
      dashboard: {
        sessionIdleMs: 1_500,
        sessionMaxMs: 3_600_000,
        requireMfa: true,
        signInFailuresPerMinute: 5,
        maxKeyRateLimit: 6000,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it('a session idle longer than the idle timeout is 401, while an active one lives on', async () => {
    const tenantId = (await createTenant(database.db, 'Idle')).id;
    const email = unique('idle');
    await createUserWithPassword(database, server.url, { tenantId, email, role: 'admin' });
    const caller = new DashboardCaller(server.url);
    expect((await caller.signIn(email)).status).toBe(200);
    expect((await caller.call('GET', '/me')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const expired = await caller.call('GET', '/me');
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('UNAUTHENTICATED');
  });

  it('DASHBOARD_REQUIRE_MFA: an admin without TOTP cannot open Settings', async () => {
    const tenantId = (await createTenant(database.db, 'Mfa')).id;
    const email = unique('must-enrol');
    await createUserWithPassword(database, server.url, { tenantId, email, role: 'admin' });
    const caller = new DashboardCaller(server.url);
    expect((await caller.signIn(email)).status).toBe(200);
    const keys = await caller.call('GET', '/api-keys');
    expect(keys.status).toBe(403);
    expect(keys.json.error.code).toBe('MFA_ENROLMENT_REQUIRED');
  });
});

describe(`dashboard behind PUBLIC_URL (${ENGINE})`, () => {
  let database: TestDatabase;
  let server: TestServer;
  const publicOrigin = 'https://console.contoso.example';

  beforeAll(async () => {
    database = await createTestDatabase();
    server = await startTestServer(database, { publicOrigin });
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  it('marks the cookie Secure on an HTTPS origin, and takes mutations only from that origin', async () => {
    const tenantId = (await createTenant(database.db, 'Public')).id;
    const email = unique('public');
    const link = await createUser(database.db, { tenantId, email, role: 'admin', actor: CLI_ACTOR });
    // The server's own host is not the dashboard's origin here.
    const direct = new DashboardCaller(server.url);
    expect((await direct.call('POST', '/password', { token: link.token, newPassword: PASSWORD })).status).toBe(403);

    const proxied = new DashboardCaller(server.url, { origin: publicOrigin });
    expect((await proxied.call('POST', '/password', { token: link.token, newPassword: PASSWORD })).status).toBe(204);
    const signedIn = await proxied.signIn(email);
    expect(signedIn.status, signedIn.text).toBe(200);
    const cookie = proxied.lastSetCookie.find((c) => c.startsWith('1sec_session='))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    // The session hint goes where the session goes: HTTPS only.
    expect(proxied.lastSetCookie.find((c) => c.startsWith('1sec_signed_in=1'))).toMatch(/; Secure/);
  });
});
