import type { Severity } from '@1security/contract';
import { ulid } from 'ulid';
import type { Db } from '../db/database';
import { insertLogEvents } from '../logs/logs.repository';

/** The workload of every event the 1Security console itself writes into a tenant's audit log. */
export const AUDIT_WORKLOAD = '1Security';

/** Each audited action and its documented severity (apps/docs/guides/authentication.md). */
export const AUDIT_SEVERITY = {
  ApiKeyCreated: 'medium',
  ApiKeyRevoked: 'medium',
  UserSignedIn: 'informational',
  UserSignInFailed: 'low',
  UserCreated: 'medium',
  UserDisabled: 'medium',
  PasswordChanged: 'medium',
  MfaEnrolled: 'low',
  MfaDisabled: 'high',
  WebhookCreated: 'medium',
  WebhookUpdated: 'medium',
  WebhookEnabled: 'low',
  WebhookDisabled: 'medium',
  WebhookAutoDisabled: 'high',
  WebhookSecretRotated: 'medium',
  WebhookReplayed: 'low',
  WebhookRetried: 'informational',
  WebhookTestSent: 'informational',
} as const satisfies Record<string, Severity>;
export type AuditAction = keyof typeof AUDIT_SEVERITY;

/** A failed sign-in that used up the account's budget: someone is guessing. */
export const REPEATED_SIGN_IN_FAILURE_SEVERITY: Severity = 'high';

/** Who acted: a dashboard user, or the operator CLI (and scripts, and the first-start demo). */
export type AuditActor = { type: 'user'; email: string; ip: string | null } | { type: 'system'; name?: string };
export const CLI_ACTOR: AuditActor = { type: 'system' };

export interface AuditEvent {
  tenantId: string;
  action: AuditAction;
  actor: AuditActor;
  resourceType: 'apiKey' | 'user' | 'webhook';
  resourceName: string;
  /** Overrides the action's documented severity (repeated sign-in failures). */
  severity?: Severity;
}

/**
 * Writes one audit event into the tenant's own audit log, where its SIEM reads it through
 * `/logs` and `/logs/changes`. Pass the transaction of the action, so that the action and
 * its event are committed together or not at all. Never put a secret in one.
 */
export async function recordAuditEvent(db: Db, event: AuditEvent): Promise<void> {
  const now = new Date();
  await insertLogEvents(db, [
    {
      tenant_id: event.tenantId,
      id: ulid(),
      source_id: null,
      occurred_at: now,
      discovered_at: now,
      action: event.action,
      severity: event.severity ?? AUDIT_SEVERITY[event.action],
      actor_name: event.actor.type === 'user' ? event.actor.email : (event.actor.name ?? 'cli'),
      actor_type: event.actor.type,
      actor_ip: event.actor.type === 'user' ? event.actor.ip : null,
      resource_name: event.resourceName,
      resource_type: event.resourceType,
      workload: AUDIT_WORKLOAD,
      application_display_name: '1Security dashboard',
    },
  ]);
}

/** Runs `work` in a transaction, or in the caller's when `db` already is one. */
export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
