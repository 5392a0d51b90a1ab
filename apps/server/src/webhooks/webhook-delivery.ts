import { ulid } from 'ulid';
import type { Db } from '../db/database';
import { checkDestination, WebhookAddressError, type WebhookNetworkPolicy } from './webhook-address';
import { signedHeaders, type WebhookSecretBox } from './webhook-secrets';
import { postMessage, type SendOutcome } from './webhook-sender';
import type { WebhookDeliveryRow, WebhookEndpointRow } from './webhooks.table';

/** One message: its id, type and body as sent (the body is what is signed). */
export interface WebhookMessage {
  id: string;
  type: string;
  itemCount: number;
  body: string;
}

/** The signing secrets in force for an endpoint at `now`: the current one, and the previous one during its overlap. */
export function secretsInForce(endpoint: WebhookEndpointRow, box: WebhookSecretBox, now: Date): string[] {
  const secrets = [box.open(endpoint.secret)];
  if (endpoint.previous_secret && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at > now) {
    secrets.push(box.open(endpoint.previous_secret));
  }
  return secrets;
}

/**
 * One attempt: checks the destination again (SSRF: the DNS answer may have changed since
 * creation), signs, POSTs to the checked address, and writes the attempt to the delivery log.
 */
export async function attemptDelivery(
  db: Db,
  endpoint: WebhookEndpointRow,
  message: WebhookMessage,
  attempt: number,
  options: { network: WebhookNetworkPolicy; timeoutMs: number; box: WebhookSecretBox },
): Promise<{ outcome: SendOutcome; delivery: WebhookDeliveryRow }> {
  const startedAt = new Date();
  let outcome: SendOutcome;
  try {
    // Resolution counts against the same timeout as connect + response.
    let timer: NodeJS.Timeout | undefined;
    const destination = await Promise.race([
      checkDestination(endpoint.url, options.network),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new WebhookAddressError(`resolving the host timed out after ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const headers = signedHeaders(
      secretsInForce(endpoint, options.box, startedAt),
      message.id,
      startedAt,
      message.body,
    );
    outcome = await postMessage(destination, headers, message.body, options.timeoutMs);
  } catch (err) {
    if (!(err instanceof WebhookAddressError)) throw err;
    outcome = {
      statusCode: null,
      error: `not sent: ${err.message}`,
      responseSnippet: null,
      durationMs: Date.now() - startedAt.getTime(),
    };
  }
  const delivery: WebhookDeliveryRow = {
    id: ulid(),
    tenant_id: endpoint.tenant_id,
    endpoint_id: endpoint.id,
    message_id: message.id,
    event_type: message.type,
    item_count: message.itemCount,
    attempt,
    started_at: startedAt,
    duration_ms: outcome.durationMs,
    status_code: outcome.statusCode,
    error: outcome.error,
    // A receiver's answer is theirs to show; NUL cannot be stored in text.
    response_snippet: outcome.responseSnippet?.replaceAll('\u0000', '') ?? null,
  };
  await db.insertInto('webhook_deliveries').values(delivery).execute();
  return { outcome, delivery };
}

export function isSuccess(outcome: SendOutcome): boolean {
  return outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
}
