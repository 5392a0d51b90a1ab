import { USER_ROLES, type UserRole } from '@1security/contract';
import { Command, InvalidArgumentError, Option } from 'commander';
import { UnknownTenantError } from '../api-keys/api-keys.service';
import { CLI_ACTOR } from '../audit/audit-events';
import { dashboardOrigin } from '../config';
import { findTenant } from '../tenants/tenants.repository';
import { listUsers } from '../users/users.repository';
import {
  createUser,
  disableUser,
  EmailTakenError,
  resetPassword,
  setPasswordUrl,
  UnknownUserError,
  type SetPasswordLink,
} from '../users/users.service';
import { CliError, printJson, withCli, type CliContext } from './cli-context';
import { parseTenantId, parseUserId } from './id-arguments';

function parseEmail(raw: string): string {
  const email = raw.trim();
  if (email.length > 320 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
    throw new InvalidArgumentError(`${JSON.stringify(raw.slice(0, 80))} is not an email address`);
  }
  return email;
}

function linkJson(ctx: CliContext, link: SetPasswordLink) {
  return {
    userId: link.user.id,
    tenantId: link.user.tenant_id,
    email: link.user.email,
    role: link.user.role,
    setPasswordUrl: setPasswordUrl(dashboardOrigin(ctx.config), link.token),
    expiresAt: link.expiresAt.toISOString(),
  };
}

function printLink(ctx: CliContext, link: SetPasswordLink, headline: string, json?: boolean): void {
  const out = linkJson(ctx, link);
  if (json) return printJson(out);
  process.stdout.write(
    [
      headline,
      '',
      `  set-password link (single use, valid until ${out.expiresAt}):`,
      `    ${out.setPasswordUrl}`,
      '',
      'Send it to the user over a channel you trust; it is shown once and not stored.',
      '',
    ].join('\n'),
  );
}

export function usersCommand(): Command {
  const users = new Command('users').description('Create, list and disable dashboard users; issue set-password links');

  users
    .command('create')
    .description('Create a dashboard user; prints a one-time set-password link (never a password)')
    .requiredOption('--tenant <TENANT_ID>', 'the tenant the user belongs to', parseTenantId)
    .requiredOption('--email <EMAIL>', 'the email the user signs in with', parseEmail)
    .addOption(
      new Option('--role <ROLE>', 'admin (manages API keys) or analyst').choices(USER_ROLES).makeOptionMandatory(),
    )
    .option('--json', 'print one JSON object')
    .action(async (options: { tenant: string; email: string; role: UserRole; json?: boolean }) => {
      await withCli(async (ctx) => {
        let link: SetPasswordLink;
        try {
          link = await createUser(ctx.database.db, {
            tenantId: options.tenant,
            email: options.email,
            role: options.role,
            actor: CLI_ACTOR,
          });
        } catch (err) {
          if (err instanceof UnknownTenantError || err instanceof EmailTakenError) throw new CliError(err.message);
          throw err;
        }
        printLink(
          ctx,
          link,
          `Created ${link.user.role} ${link.user.id} <${link.user.email}> in tenant ${link.user.tenant_id}.`,
          options.json,
        );
      });
    });

  users
    .command('list')
    .description("List a tenant's dashboard users")
    .requiredOption('--tenant <TENANT_ID>', 'the tenant', parseTenantId)
    .option('--json', 'print a JSON array')
    .action(async (options: { tenant: string; json?: boolean }) => {
      await withCli(async ({ database }) => {
        if (!(await findTenant(database.db, options.tenant)))
          throw new CliError(`No tenant with id ${options.tenant}.`);
        const rows = await listUsers(database.db, options.tenant);
        if (options.json) {
          return printJson(
            rows.map((u) => ({
              userId: u.id,
              tenantId: u.tenant_id,
              email: u.email,
              role: u.role,
              mfaEnabled: u.totp_secret !== null,
              passwordSet: u.password_hash !== null,
              createdAt: u.created_at.toISOString(),
              disabledAt: u.disabled_at?.toISOString() ?? null,
            })),
          );
        }
        if (rows.length === 0) {
          process.stdout.write(`No users in tenant ${options.tenant}.\n`);
          return;
        }
        for (const u of rows) {
          const state = u.disabled_at ? 'disabled' : u.password_hash ? 'active' : 'invited';
          process.stdout.write(
            `${u.id}  ${u.role.padEnd(7)}  ${state.padEnd(8)}  ${u.totp_secret ? 'mfa' : '   '}  ${u.email}\n`,
          );
        }
      });
    });

  users
    .command('disable')
    .description('Disable a user; their sessions end at once')
    .argument('<USER_ID>', 'the user to disable', parseUserId)
    .action(async (userId: string) => {
      await withCli(async ({ database }) => {
        try {
          const user = await disableUser(database.db, userId, CLI_ACTOR);
          process.stdout.write(`Disabled user ${user.id} <${user.email}>; their sessions have ended.\n`);
        } catch (err) {
          if (err instanceof UnknownUserError) throw new CliError(err.message);
          throw err;
        }
      });
    });

  users
    .command('reset-password')
    .description('Issue a new one-time set-password link; an earlier unused one stops working')
    .argument('<USER_ID>', 'the user', parseUserId)
    .option('--json', 'print one JSON object')
    .action(async (userId: string, options: { json?: boolean }) => {
      await withCli(async (ctx) => {
        try {
          const link = await resetPassword(ctx.database.db, userId);
          printLink(ctx, link, `New set-password link for ${link.user.id} <${link.user.email}>.`, options.json);
        } catch (err) {
          if (err instanceof UnknownUserError) throw new CliError(err.message);
          throw err;
        }
      });
    });

  return users;
}
