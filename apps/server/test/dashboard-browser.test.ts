/**
 * The dashboard in headless Chromium against the real server process (`node dist/main.js`, as
 * `pnpm start` runs it) on the engine under test: a set-password link from the operator CLI,
 * sign-in, a key created with two scopes and its secret copied from the page and used on
 * /api/v1, revocation, sign-out, an analyst turned away, TOTP enrolment and a sign-in that
 * needs the code, a password change, Settings → Webhooks against a real receiver on loopback
 * (the server runs with WEBHOOK_ALLOW_HTTP and WEBHOOK_ALLOW_PRIVATE_NETWORKS on). On every page: axe-core finds no serious or critical
 * violation, nothing scrolls sideways at 360 px, the console stays clean (the CSP holds).
 * Screenshots of each page, desktop and 390 px wide, go to apps/dashboard/screenshots/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { Webhook } from 'standardwebhooks';
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canvasShades,
  CHROMIUM_PATH,
  chromiumAvailable,
  clipboardText,
  inCi,
  launchChromium,
  screenshot,
  SCREENSHOTS_DIR,
  seriousAccessibilityViolations,
  sidewaysOverflow,
  watch,
  type PageProblems,
} from './support/browser';
import { runCliProcess, spawnServer, type ServerProcess } from './support/processes';
import {
  standardWebhookHeaders,
  startWebhookReceiver,
  type WebhookReceiver,
} from './support/recording-webhook-receiver';
import { createTestDatabase, ENGINE, type TestDatabase } from './support/test-database';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a different horse, battery staple';
const DESKTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

const available = chromiumAvailable();

if (!available && inCi) {
  describe('the dashboard in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: CI must install it (apt-get install -y chromium).`);
    });
  });
}

/**
 * The code an authenticator app holding `secret` shows now, or `stepsAhead` 30-second steps
 * from now, computed with the server's TOTP library.
 */
function totpNow(secret: string, stepsAhead = 0): string {
  return new TOTP({
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret.replace(/\s+/g, '')),
  }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

// Off CI without Chromium: skipped, with the warning chromiumAvailable() printed.
describe.skipIf(!available)(`the dashboard in Chromium (${ENGINE})`, () => {
  let database: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  let server: ServerProcess;
  let origin: string;
  let browser: Browser;
  let tenantId: string;
  const adminEmail = 'ada@contoso.example';
  const analystEmail = 'alan@contoso.example';
  let secret: string;

  async function cli(args: string[]): Promise<string> {
    const result = await runCliProcess(args, env);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  }

  /** A set-password link for a new user, from `pnpm admin users create --json`, pointed at this server. */
  async function newUserLink(email: string, role: 'admin' | 'analyst'): Promise<string> {
    const created = JSON.parse(
      await cli(['users', 'create', '--tenant', tenantId, '--email', email, '--role', role, '--json']),
    ) as {
      setPasswordUrl: string;
      email: string;
      role: string;
    };
    expect(created).toMatchObject({ email, role });
    const link = new URL(created.setPasswordUrl);
    expect(link.pathname).toBe('/dashboard/set-password');
    expect(link.hash).toMatch(/^#token=./);
    // The CLI does not know this server's ephemeral port: same path and token, this origin.
    return `${origin}${link.pathname}${link.hash}`;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), '1sec-dashboard-'));
    if (ENGINE === 'postgres') {
      database = await createTestDatabase('postgres');
      env = { DATABASE_URL: database.url };
    } else {
      env = { DATA_DIR: dataDir, DEMO_DATA: 'false' };
    }
    // A receiver on loopback over plain HTTP: allowed here only, by the two development switches.
    server = await spawnServer({
      ...env,
      LOG_LEVEL: 'info',
      WEBHOOK_ALLOW_HTTP: 'true',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    origin = server.url;
    tenantId = (JSON.parse(await cli(['tenants', 'create', '--name', 'Contoso', '--json'])) as { tenantId: string })
      .tenantId;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await database?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page; problems: { take(): PageProblems } }> {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    return { context, page, problems: watch(page) };
  }

  /**
   * The page as it stands: no serious accessibility violation, no sideways scrolling on a
   * 360 px phone, and screenshots at desktop width and 390 px.
   */
  async function checkPage(page: Page, name: string): Promise<void> {
    expect(await seriousAccessibilityViolations(page), `${name}: axe-core`).toEqual([]);
    expect(await sidewaysOverflow(page), `${name} at ${DESKTOP.width}px`).toBeUndefined();
    await screenshot(page, `${name}-desktop`);
    await page.setViewportSize(PHONE);
    expect(await sidewaysOverflow(page), `${name} at ${PHONE.width}px`).toBeUndefined();
    await screenshot(page, `${name}-390`);
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await sidewaysOverflow(page), `${name} at 360px`).toBeUndefined();
    expect(await seriousAccessibilityViolations(page), `${name} at 360px: axe-core`).toEqual([]);
    await page.setViewportSize(DESKTOP);
  }

  /** Waits for the page's call of the dashboard API, and returns its response. */
  function apiResponse(page: Page, method: string, apiPath: string): Promise<Response> {
    return page.waitForResponse(
      (r) => r.request().method() === method && new URL(r.url()).pathname === `/dashboard/api${apiPath}`,
    );
  }

  /** Submits through `act`, expects the API's error envelope for it and that the page shows its message and details. */
  async function expectShownError(
    page: Page,
    method: string,
    apiPath: string,
    status: number,
    act: () => Promise<void>,
  ): Promise<void> {
    const [response] = await Promise.all([apiResponse(page, method, apiPath), act()]);
    expect(response.status()).toBe(status);
    const { error } = (await response.json()) as { error: { message: string; details?: Array<{ message: string }> } };
    const alert = page.getByRole('alert').filter({ hasText: error.message });
    await expect.poll(() => alert.count()).toBe(1);
    for (const detail of error.details ?? []) expect(await alert.textContent()).toContain(detail.message);
  }

  /** Signs in from the keyboard: the email field has focus, Tab to the password, Enter sends. */
  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${origin}/dashboard/sign-in`);
    await expect.poll(() => focusedLabel(page)).toBe('Email');
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    expect(await focusedLabel(page)).toBe('Password');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
  }

  /** The label of the focused control, or its text when it has none. */
  async function focusedLabel(page: Page): Promise<string> {
    return String(
      await page.evaluate(`(() => {
        const el = document.activeElement;
        return (el.labels && el.labels[0] ? el.labels[0].textContent : el.textContent).trim();
      })()`),
    );
  }

  async function ping(key: string): Promise<{ status: number; body: { data?: { scopes: string[] } } }> {
    const res = await fetch(`${origin}/api/v1/ping`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, body: (await res.json()) as { data?: { scopes: string[] } } };
  }

  it('an admin sets a password from the CLI link, signs in, creates a key with two scopes, copies and uses it, revokes it, signs out', async () => {
    const link = await newUserLink(adminEmail, 'admin');
    const { context, page, problems } = await newPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });

    // Set password: the link's token is in the fragment, which never reaches the server.
    const logMark = server.output().length;
    await page.goto(link);
    await expect.poll(() => page.getByRole('heading', { name: 'Set your password' }).count()).toBe(1);
    expect(server.output().slice(logMark)).not.toContain(link.split('#token=')[1]);
    await checkPage(page, 'set-password');
    await page.getByLabel('New password', { exact: true }).fill('too short');
    await page.getByLabel('Confirm new password').fill('too short');
    await expectShownError(page, 'POST', '/password', 400, () =>
      page.getByRole('button', { name: 'Set password' }).click(),
    );
    await checkPage(page, 'set-password-error');
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm new password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();

    // On to sign-in, which says the password is set; a wrong password gets the API's message.
    await page.waitForURL(`${origin}/dashboard/sign-in`);
    expect(await page.getByRole('status').textContent()).toContain('Your password is set');
    await checkPage(page, 'sign-in');
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill('not the password at all');
    await expectShownError(page, 'POST', '/session', 401, () => page.getByRole('button', { name: 'Sign in' }).click());
    await checkPage(page, 'sign-in-error');
    expect(problems.take()).toEqual({
      httpErrors: ['400 POST /dashboard/api/password', '401 POST /dashboard/api/session'],
      other: [],
    });

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${origin}/dashboard/settings/api-keys`);
    await expect.poll(() => page.getByText('No API keys yet').count()).toBe(1);
    expect(await page.title()).toBe('API Keys · 1Security dashboard');
    await checkPage(page, 'api-keys-empty');

    // The form: bad input gets the API's own words.
    await page.getByRole('button', { name: 'Create API key' }).click();
    await checkPage(page, 'api-keys-create-form');
    await expectShownError(page, 'POST', '/api-keys', 400, () =>
      page.getByRole('button', { name: 'Create key' }).click(),
    );
    await checkPage(page, 'api-keys-create-errors');
    await page.getByLabel('Name', { exact: true }).fill('x'.repeat(300));
    await page.getByRole('checkbox', { name: /logs:read/ }).check();
    await expectShownError(page, 'POST', '/api-keys', 400, () =>
      page.getByRole('button', { name: 'Create key' }).click(),
    );
    await page.getByLabel('Name', { exact: true }).fill('Splunk production');
    await page.getByRole('radio', { name: 'On a date' }).check();
    await page.getByLabel('Expiry date').fill('2020-01-01');
    await expectShownError(page, 'POST', '/api-keys', 400, () =>
      page.getByRole('button', { name: 'Create key' }).click(),
    );
    await page.getByRole('radio', { name: '90 days' }).check();
    await page.getByLabel('Rate limit (optional)').fill('120');
    await page.getByRole('checkbox', { name: /security-alerts:read/ }).check();
    const [created] = await Promise.all([
      apiResponse(page, 'POST', '/api-keys'),
      page.getByRole('button', { name: 'Create key' }).click(),
    ]);
    expect(created.status()).toBe(201);
    expect(problems.take()).toEqual({ httpErrors: Array(3).fill('400 POST /dashboard/api/api-keys'), other: [] });

    // The secret, once, with a copy button and the warning; copied from the page.
    await expect.poll(() => page.getByText('It will not be shown again').count()).toBe(1);
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await expect.poll(() => page.getByText('Copied to the clipboard.').count()).toBe(1);
    secret = await clipboardText(page);
    expect(secret).toMatch(/^1sec_live_\S+$/);
    expect(await page.locator('.secret').textContent()).toBe(secret);
    await checkPage(page, 'api-keys-secret');

    const pinged = await ping(secret);
    expect(pinged.status).toBe(200);
    expect(pinged.body.data?.scopes.sort()).toEqual(['logs:read', 'security-alerts:read']);

    // Never again: not after a reload, not in the list the page reads, not in the server's log.
    await page.getByRole('button', { name: /I have stored it/ }).click();
    await page.reload();
    const row = page.locator('tbody tr', { hasText: 'Splunk production' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await page.content()).not.toContain(secret);
    const listed = await page.request.get(`${origin}/dashboard/api/api-keys`);
    expect(listed.status()).toBe(200);
    expect(await listed.text()).not.toContain(secret);
    expect(server.output()).not.toContain(secret);
    expect(await row.textContent()).toContain('active');
    expect(await row.textContent()).toContain(adminEmail);
    expect(await row.textContent()).toContain('120/min');
    await checkPage(page, 'api-keys-list');

    // Revoke, with confirmation; Cancel first does nothing.
    await page.getByRole('button', { name: 'Revoke Splunk production' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “Splunk production”?' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await checkPage(page, 'api-keys-revoke-dialog');
    // Cancel has the focus, so an Enter in a hurry revokes nothing; Escape closes it, and focus goes back.
    expect(await focusedLabel(page)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await focusedLabel(page)).toBe('Revoke');
    expect((await ping(secret)).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke Splunk production' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    expect((await ping(secret)).status).toBe(401);
    await checkPage(page, 'api-keys-revoked');

    // Sign out: back to sign-in; the settings are closed to this browser now.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/dashboard/sign-in`);
    expect(await page.getByRole('status').textContent()).toContain('You have signed out');
    await page.goto(`${origin}/dashboard/settings/api-keys`);
    await page.waitForURL(`${origin}/dashboard/sign-in`);
    expect((await page.request.get(`${origin}/dashboard/api/api-keys`)).status()).toBe(401);
    // Signed out, the browser holds no session hint: the app went to sign-in without asking GET /me.
    expect(problems.take()).toEqual({ httpErrors: [], other: [] });
    await context.close();
  });

  it('an analyst signs in and is told Settings → API Keys is admin only; the API answers 403', async () => {
    const link = await newUserLink(analystEmail, 'analyst');
    const { context, page, problems } = await newPage();
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm new password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.waitForURL(`${origin}/dashboard/sign-in`);
    await signIn(page, analystEmail, PASSWORD);
    await page.waitForURL(`${origin}/dashboard/settings/api-keys`);
    await expect.poll(() => page.getByText('Admin only.').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
    await checkPage(page, 'api-keys-analyst');
    const res = await page.request.get(`${origin}/dashboard/api/api-keys`);
    expect(res.status()).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect(problems.take()).toEqual({ httpErrors: [], other: [] });

    // The session ends behind the page's back (signed out in another tab): the next action
    // lands on sign-in, saying why.
    await page.getByRole('link', { name: 'Account' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Set up authenticator app' }).count()).toBe(1);
    expect((await page.request.delete(`${origin}/dashboard/api/session`, { headers: { origin } })).status()).toBe(204);
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await page.waitForURL(`${origin}/dashboard/sign-in`);
    expect(await page.getByRole('status').textContent()).toContain('Your session has ended');
    expect(problems.take()).toEqual({ httpErrors: ['401 POST /dashboard/api/mfa/totp'], other: [] });
    await context.close();
  });

  it('the admin enrols TOTP with the QR code, then signing in needs the code; TOTP off again; a password change signs out', async () => {
    const { context, page, problems } = await newPage();
    await signIn(page, adminEmail, PASSWORD);
    await page.waitForURL(`${origin}/dashboard/settings/api-keys`);

    // A second key, for the picture in the authentication guide: a new secret above a revoked key.
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Microsoft Sentinel');
    await page.getByRole('checkbox', { name: /logs:read/ }).check();
    await page.getByRole('radio', { name: '365 days' }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await page.setViewportSize({ width: 1200, height: 700 });
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, 'docs-dashboard-api-keys.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
    await page.getByRole('button', { name: /I have stored it/ }).click();

    await page.getByRole('link', { name: 'Account' }).click();
    await page.waitForURL(`${origin}/dashboard/settings/account`);
    await expect.poll(() => page.getByRole('heading', { name: 'Two-factor authentication' }).count()).toBe(1);
    await checkPage(page, 'account');

    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    const qr = page.getByRole('img', { name: /QR code/ });
    await expect.poll(() => qr.isVisible()).toBe(true);
    // Drawn in the page: both dark and light modules on the canvas.
    expect(await canvasShades(page, 'canvas.qr-code')).toEqual(expect.arrayContaining([0, 255]));
    const totpSecret = (await page.locator('.totp-secret').textContent())!;
    expect(totpSecret.replace(/\s+/g, '')).toMatch(/^[A-Z2-7]{16,}$/);
    await checkPage(page, 'account-totp-enrol');
    await page.getByLabel('Code from the app').fill('000000');
    await expectShownError(page, 'POST', '/mfa/totp/confirm', 400, () =>
      page.getByRole('button', { name: 'Turn on' }).click(),
    );
    await page.getByLabel('Code from the app').fill(totpNow(totpSecret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByText('Two-factor authentication is on.').count()).toBe(1);
    await checkPage(page, 'account-totp-on');

    // Sign out, and in again: the password alone is not enough.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${origin}/dashboard/sign-in`);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Password').fill(PASSWORD);
    const [asked] = await Promise.all([
      apiResponse(page, 'POST', '/session'),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(asked.status()).toBe(401);
    expect(((await asked.json()) as { error: { code: string } }).error.code).toBe('MFA_REQUIRED');
    await expect.poll(() => page.getByLabel('Authentication code').count()).toBe(1);
    await checkPage(page, 'sign-in-totp');
    await page.getByLabel('Authentication code').fill('000000');
    await expectShownError(page, 'POST', '/session', 401, () =>
      page.getByRole('button', { name: 'Verify and sign in' }).click(),
    );
    // The next step's code: each code is accepted once, and the current one confirmed the enrolment.
    await page.getByLabel('Authentication code').fill(totpNow(totpSecret, 1));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(`${origin}/dashboard/settings/api-keys`);
    await expect.poll(() => page.locator('tbody tr', { hasText: 'Splunk production' }).count()).toBe(1);

    // TOTP off, with the password.
    await page.getByRole('link', { name: 'Account' }).click();
    await page.getByLabel('Password', { exact: true }).fill('wrong password, surely');
    await expectShownError(page, 'DELETE', '/mfa/totp', 400, () =>
      page.getByRole('button', { name: 'Turn off two-factor authentication' }).click(),
    );
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
    await expect.poll(() => page.getByText('Two-factor authentication is off.').count()).toBe(1);

    // A new password ends the session: sign in again with it, and no code is asked now.
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(`${origin}/dashboard/sign-in`);
    expect(await page.getByRole('status').textContent()).toContain('Your password has changed');
    await signIn(page, adminEmail, NEW_PASSWORD);
    await page.waitForURL(`${origin}/dashboard/settings/api-keys`);
    expect(problems.take()).toEqual({
      httpErrors: [
        '400 POST /dashboard/api/mfa/totp/confirm',
        '401 POST /dashboard/api/session',
        '401 POST /dashboard/api/session',
        '400 DELETE /dashboard/api/mfa/totp',
      ],
      other: [],
    });
    await context.close();
  });

  it('with DASHBOARD_REQUIRE_MFA=true, an admin without TOTP is sent to Account to enrol before seeing the keys', async () => {
    // A server of its own, over a database of its own: the setting is read at start.
    const mfaDataDir = mkdtempSync(path.join(tmpdir(), '1sec-dashboard-mfa-'));
    const mfaDatabase = ENGINE === 'postgres' ? await createTestDatabase('postgres') : undefined;
    const mfaEnv = mfaDatabase ? { DATABASE_URL: mfaDatabase.url } : { DATA_DIR: mfaDataDir, DEMO_DATA: 'false' };
    const mfaServer = await spawnServer({ ...mfaEnv, DASHBOARD_REQUIRE_MFA: 'true' });
    const { context, page, problems } = await newPage();
    try {
      const run = async (args: string[]) => {
        const result = await runCliProcess(args, mfaEnv);
        expect(result.code, result.stderr).toBe(0);
        return result.stdout;
      };
      const tenant = (
        JSON.parse(await run(['tenants', 'create', '--name', 'Fabrikam', '--json'])) as { tenantId: string }
      ).tenantId;
      const created = JSON.parse(
        await run([
          'users',
          'create',
          '--tenant',
          tenant,
          '--email',
          'grace@fabrikam.example',
          '--role',
          'admin',
          '--json',
        ]),
      ) as { setPasswordUrl: string };
      const link = new URL(created.setPasswordUrl);
      await page.goto(`${mfaServer.url}${link.pathname}${link.hash}`);
      await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm new password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.waitForURL(`${mfaServer.url}/dashboard/sign-in`);
      origin = mfaServer.url; // for signIn()
      await signIn(page, 'grace@fabrikam.example', PASSWORD);
      await page.waitForURL(`${mfaServer.url}/dashboard/settings/api-keys`);
      const enrolFirst = page.getByRole('link', { name: /Set up two-factor authentication/ });
      await expect.poll(() => enrolFirst.count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Create API key' }).count()).toBe(0);
      await checkPage(page, 'api-keys-mfa-required');
      await enrolFirst.click();
      await page.getByRole('button', { name: 'Set up authenticator app' }).click();
      const totpSecret = (await page.locator('.totp-secret').textContent())!;
      await page.getByLabel('Code from the app').fill(totpNow(totpSecret));
      await page.getByRole('button', { name: 'Turn on' }).click();
      await expect.poll(() => page.getByText('Two-factor authentication is on.').count()).toBe(1);
      await page.getByRole('link', { name: 'API Keys' }).click();
      await expect.poll(() => page.getByText('No API keys yet').count()).toBe(1);
      expect(problems.take()).toEqual({ httpErrors: ['403 GET /dashboard/api/api-keys'], other: [] });
    } finally {
      origin = server.url;
      await context.close();
      await mfaServer.stop();
      await mfaDatabase?.close();
      rmSync(mfaDataDir, { recursive: true, force: true });
    }
  });

  it('an admin adds a webhook endpoint for a loopback receiver, copies its secret, sends a test event that verifies, edits, rotates, disables, replays; an analyst is turned away', async () => {
    const receiver: WebhookReceiver = await startWebhookReceiver();
    let feedReceiver: WebhookReceiver | undefined;
    const email = 'wendy@contoso.example';
    const link = await newUserLink(email, 'admin');
    const { context, page, problems } = await newPage();
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
      await page.goto(link);
      await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm new password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password' }).click();
      await page.waitForURL(`${origin}/dashboard/sign-in`);
      await signIn(page, email, PASSWORD);
      await page.waitForURL(`${origin}/dashboard/settings/api-keys`);
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Webhooks' }).click();
      await page.waitForURL(`${origin}/dashboard/settings/webhooks`);
      await expect.poll(() => page.getByText('No webhook endpoints yet').count()).toBe(1);
      expect(await page.title()).toBe('Webhooks · 1Security dashboard');
      await checkPage(page, 'webhooks-empty');

      // The form; bad input gets the API's own words.
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await expect.poll(() => focusedLabel(page)).toBe('Add webhook endpoint');
      await checkPage(page, 'webhooks-create-form');
      await expectShownError(page, 'POST', '/webhooks', 400, () =>
        page.getByRole('button', { name: 'Create endpoint' }).click(),
      );
      await page.getByLabel('URL', { exact: true }).fill('ftp://siem.contoso.example/hooks');
      await page.getByRole('checkbox', { name: /^security-alerts/ }).check();
      await expectShownError(page, 'POST', '/webhooks', 400, () =>
        page.getByRole('button', { name: 'Create endpoint' }).click(),
      );
      await checkPage(page, 'webhooks-create-errors');

      // Security alerts of high or critical severity, ten to a message.
      await page.getByLabel('URL', { exact: true }).fill(receiver.url);
      await page.getByLabel('Description (optional)').fill('Tines: triage story');
      await page.getByText('Filters for security alerts').click();
      await page.getByRole('checkbox', { name: 'Security alerts severity: high' }).check();
      await page.getByRole('checkbox', { name: 'Security alerts severity: critical' }).check();
      await page.getByLabel('Batch size').fill('10');
      await checkPage(page, 'webhooks-create-filled');
      const [created] = await Promise.all([
        apiResponse(page, 'POST', '/webhooks'),
        page.getByRole('button', { name: 'Create endpoint' }).click(),
      ]);
      expect(created.status()).toBe(201);
      expect(problems.take()).toEqual({ httpErrors: Array(2).fill('400 POST /dashboard/api/webhooks'), other: [] });

      // The signing secret, once, copied from the page.
      await expect.poll(() => page.getByText('It will not be shown again').count()).toBe(1);
      await page.getByRole('button', { name: 'Copy secret' }).click();
      await expect.poll(() => page.getByText('Copied to the clipboard.').count()).toBe(1);
      const signingSecret = await clipboardText(page);
      expect(signingSecret).toMatch(/^whsec_\S+$/);
      await checkPage(page, 'webhooks-secret');
      await page.getByRole('button', { name: /I have stored it/ }).click();
      expect(await page.content()).not.toContain(signingSecret);

      // A test event reaches the receiver, signed with that secret; the attempt is in the log.
      await page.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => page.getByText(/Test event delivered: the receiver answered HTTP 200/).count()).toBe(1);
      expect(receiver.received).toHaveLength(1);
      const [message] = receiver.received;
      const payload = new Webhook(signingSecret).verify(message!.body, standardWebhookHeaders(message!.headers)) as {
        type: string;
      };
      expect(payload.type).toBe('webhook.test');
      const row = page.locator('table.deliveries tbody tr', { hasText: String(message!.headers['webhook-id']) });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toMatch(/webhook\.test.*HTTP 200.*\d+ ms.*receiver says 200/s);
      await checkPage(page, 'webhooks-detail');

      // A receiver that fails: the attempt shows its status and answer.
      receiver.status = 500;
      await page.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => page.getByText(/not accepted: HTTP 500/).count()).toBe(1);
      await expect.poll(() => page.locator('table.deliveries tbody tr', { hasText: 'HTTP 500' }).count()).toBe(1);
      receiver.status = 200;
      await checkPage(page, 'webhooks-deliveries');

      // Edit the filters: critical only, new alerts only.
      await page.getByRole('button', { name: 'Edit', exact: true }).click();
      await page.getByRole('checkbox', { name: 'Security alerts severity: high' }).uncheck();
      await page.getByRole('checkbox', { name: 'Security alerts status: new' }).check();
      await checkPage(page, 'webhooks-edit-form');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect.poll(() => page.getByText('Saved.').count()).toBe(1);
      expect(await page.locator('.endpoint-detail').textContent()).toContain('severity=critical; status=new');

      // Rotate, with confirmation: a new secret, once; the next message carries both signatures.
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      const rotateDialog = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
      await expect.poll(() => rotateDialog.isVisible()).toBe(true);
      expect(await focusedLabel(page)).toBe('Cancel');
      await checkPage(page, 'webhooks-rotate-dialog');
      await rotateDialog.getByRole('button', { name: 'Rotate secret' }).click();
      await expect.poll(() => page.getByText('New signing secret for this endpoint').count()).toBe(1);
      await page.getByRole('button', { name: 'Copy secret' }).click();
      await expect.poll(() => page.getByText('Copied to the clipboard.').count()).toBe(1);
      const newSecret = await clipboardText(page);
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(signingSecret);
      await page.getByRole('button', { name: /I have stored it/ }).click();
      await page.getByRole('button', { name: 'Send test event' }).click();
      await expect.poll(() => receiver.received.length).toBe(3);
      const rotated = receiver.received[2]!;
      for (const key of [signingSecret, newSecret]) {
        expect(() => new Webhook(key).verify(rotated.body, standardWebhookHeaders(rotated.headers))).not.toThrow();
      }

      // Disable (reason shown), enable again.
      await page.getByRole('button', { name: 'Disable', exact: true }).click();
      await expect.poll(() => page.getByText('Disabled by an admin.').count()).toBe(1);
      await page.getByRole('button', { name: 'Enable', exact: true }).click();
      await expect.poll(() => page.getByText(/Enabled: delivery resumes/).count()).toBe(1);

      // Replay from a time, with confirmation.
      await page.getByLabel('Replay from').fill('2026-01-01T09:00');
      await page.getByRole('button', { name: 'Replay', exact: true }).click();
      const replayDialog = page.getByRole('dialog', { name: 'Replay deliveries?' });
      await expect.poll(() => replayDialog.isVisible()).toBe(true);
      const [replayed] = await Promise.all([
        apiResponse(page, 'POST', `/webhooks/${(await created.json()).data.endpoint.id}/replay`),
        replayDialog.getByRole('button', { name: 'Replay' }).click(),
      ]);
      expect(replayed.status()).toBe(200);
      expect(new Date((replayed.request().postDataJSON() as { from: string }).from).getTime()).toBe(
        new Date('2026-01-01T09:00').getTime(),
      );
      await expect.poll(() => page.getByText(/Replaying every change since/).count()).toBe(1);

      // Back to the list: the endpoint, enabled, with its filters.
      await page.getByRole('button', { name: '← All endpoints' }).click();
      const listed = page.locator('table.records tbody tr', { hasText: receiver.url });
      await expect.poll(() => listed.count()).toBe(1);
      expect(await listed.textContent()).toMatch(/enabled.*security-alerts.*severity=critical/s);
      await checkPage(page, 'webhooks-list');
      expect(server.output()).not.toContain(signingSecret);
      expect(server.output()).not.toContain(newSecret);

      // A second endpoint, on the audit log, whose receiver fails: the delivery worker's
      // attempts show in the log, the endpoint turns "failing", and "Retry now" delivers once
      // the receiver is back. What arrives is the tenant's audit log (this endpoint's own
      // creation is in it).
      feedReceiver = await startWebhookReceiver();
      feedReceiver.status = 500;
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByLabel('URL', { exact: true }).fill(feedReceiver.url);
      await page.getByRole('checkbox', { name: /^logs/ }).check();
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Copy secret' }).count()).toBe(1);
      await page.getByRole('button', { name: 'Copy secret' }).click();
      await expect.poll(() => page.getByText('Copied to the clipboard.').count()).toBe(1);
      const feedSecret = await clipboardText(page);
      await page.getByRole('button', { name: /I have stored it/ }).click();
      // Readiness guards for the worker's first attempt, not timing assertions.
      const failed = page
        .locator('table.deliveries tbody tr', { hasText: 'logs.changed' })
        .filter({ hasText: 'HTTP 500' });
      await expect.poll(() => failed.count(), { timeout: 60_000 }).toBeGreaterThan(0);
      const retryNow = page.getByRole('button', { name: 'Retry now' });
      await expect.poll(() => retryNow.count(), { timeout: 30_000 }).toBe(1);
      expect(await page.locator('.endpoint-detail .facts').textContent()).toMatch(/failing.*failed attempt/s);
      await checkPage(page, 'webhooks-failing');
      feedReceiver.status = 200;
      await retryNow.click();
      const delivered = page
        .locator('table.deliveries tbody tr', { hasText: 'logs.changed' })
        .filter({ hasText: 'HTTP 200' });
      await expect.poll(() => delivered.count(), { timeout: 60_000 }).toBeGreaterThan(0);
      await expect.poll(() => retryNow.count(), { timeout: 30_000 }).toBe(0);
      // The first message was refused, then sent again with the same webhook-id until accepted.
      const firstId = String(feedReceiver.received[0]!.headers['webhook-id']);
      const attempts = feedReceiver.received.filter((m) => String(m.headers['webhook-id']) === firstId);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      const accepted = attempts.at(-1)!;
      const feed = new Webhook(feedSecret).verify(accepted.body, standardWebhookHeaders(accepted.headers)) as {
        type: string;
        data: Array<{ action: string; workload: string }>;
      };
      expect(feed.type).toBe('logs.changed');
      expect(feed.data).toHaveLength(1);
      expect(feed.data[0]!.workload).toBe('1Security');
      // The same items each time.
      expect(feed.data).toEqual((JSON.parse(attempts[0]!.body) as { data: unknown[] }).data);
      await checkPage(page, 'webhooks-retried');
      expect(problems.take()).toEqual({ httpErrors: [], other: [] });
      await context.close();

      // An analyst: told it is admin only; the API answers 403.
      const analyst = await newPage();
      await signIn(analyst.page, analystEmail, PASSWORD);
      await analyst.page.waitForURL(`${origin}/dashboard/settings/api-keys`);
      await analyst.page.getByRole('link', { name: 'Webhooks' }).click();
      await expect.poll(() => analyst.page.getByText('Admin only.').count()).toBe(1);
      expect(await analyst.page.getByRole('button', { name: 'Add endpoint' }).count()).toBe(0);
      await checkPage(analyst.page, 'webhooks-analyst');
      const forbidden = await analyst.page.request.get(`${origin}/dashboard/api/webhooks`);
      expect(forbidden.status()).toBe(403);
      expect(analyst.problems.take()).toEqual({ httpErrors: [], other: [] });
      await analyst.context.close();
    } finally {
      await context.close();
      await receiver.close();
      await feedReceiver?.close();
    }
  });

  it('a first visit goes to sign-in without calling the API and with no console error; a session that ended is asked about once', async () => {
    const { context, page, problems } = await newPage();
    // Every console error and warning, the browser's own "Failed to load resource" lines included.
    const consoleLines: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleLines.push(message.text());
    });
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      const { pathname } = new URL(request.url());
      if (pathname.startsWith('/dashboard/api')) apiCalls.push(`${request.method()} ${pathname}`);
    });
    const landsOnSignIn = async (entry: string) => {
      await page.goto(`${origin}${entry}`);
      await page.waitForURL(`${origin}/dashboard/sign-in`);
      await expect.poll(() => page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
      expect(await page.getByLabel('Email').count()).toBe(1);
    };
    for (const entry of [
      '/dashboard',
      '/dashboard/settings/api-keys',
      '/dashboard/settings/webhooks',
      '/dashboard/sign-in',
    ])
      await landsOnSignIn(entry);
    expect(apiCalls).toEqual([]);
    expect(consoleLines).toEqual([]);
    expect(problems.take()).toEqual({ httpErrors: [], other: [] });

    // Signed in, a reload asks who is signed in (GET /me), and gets an answer.
    await signIn(page, analystEmail, PASSWORD);
    await page.waitForURL(`${origin}/dashboard/settings/api-keys`);
    await page.goto(`${origin}/dashboard/settings/account`);
    await expect.poll(() => page.getByRole('heading', { name: 'Account' }).count()).toBe(1);
    expect(apiCalls).toEqual(['POST /dashboard/api/session', 'GET /dashboard/api/me']);

    // The session ends on the server while the browser keeps its cookies (it timed out): the
    // next visit asks once, gets 401 and goes to sign-in; the one after does not ask again.
    const session = (await context.cookies()).find((cookie) => cookie.name === '1sec_session')!;
    const ended = await fetch(`${origin}/dashboard/api/session`, {
      method: 'DELETE',
      headers: { origin, cookie: `${session.name}=${session.value}` },
    });
    expect(ended.status).toBe(204);
    apiCalls.length = 0;
    await landsOnSignIn('/dashboard/settings/api-keys');
    expect(apiCalls).toEqual(['GET /dashboard/api/me']);
    expect(problems.take()).toEqual({ httpErrors: ['401 GET /dashboard/api/me'], other: [] });
    consoleLines.length = 0;
    await landsOnSignIn('/dashboard/settings/api-keys');
    expect(apiCalls).toEqual(['GET /dashboard/api/me']);
    expect(consoleLines).toEqual([]);
    expect(problems.take()).toEqual({ httpErrors: [], other: [] });
    await context.close();
  });

  it('serves the app for its client routes with its own CSP; unknown /dashboard/api routes are the 404 envelope', async () => {
    for (const route of [
      '/dashboard',
      '/dashboard/',
      '/dashboard/set-password',
      '/dashboard/settings/api-keys',
      '/dashboard/settings/nope',
    ]) {
      const res = await fetch(`${origin}${route}`);
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type'), route).toMatch(/^text\/html/);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(await res.text()).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
    for (const route of [
      '/dashboard/api',
      '/dashboard/api/nope',
      '/dashboard/api/settings/api-keys',
      '/dashboard/API/nope',
    ]) {
      const res = await fetch(`${origin}${route}`);
      expect(res.status, route).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code, route).toBe('NOT_FOUND');
    }
    expect((await fetch(`${origin}/dashboard/assets/missing.js`)).status).toBe(404);
  });
});
