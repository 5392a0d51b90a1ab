import { lookup } from 'node:dns/promises';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/** Resolves a host name to every address it has (injectable: tests resolve names to what they like). */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

/** What a webhook URL may point at. Both switches are off in production. */
export interface WebhookNetworkPolicy {
  /** `WEBHOOK_ALLOW_HTTP`: accept `http://` as well as `https://`. */
  allowHttp: boolean;
  /** `WEBHOOK_ALLOW_PRIVATE_NETWORKS`: accept loopback, private, link-local… addresses. */
  allowPrivateNetworks: boolean;
  resolve?: Resolver | undefined;
}

/** The URL is refused: the message says why, in words for the admin who typed it. */
export class WebhookAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookAddressError';
  }
}

/**
 * Why an address may not be a webhook destination, or null when it may. Only global unicast
 * is allowed (ipaddr.js's range classification); an IPv4-mapped IPv6 address is judged by the
 * IPv4 address it carries.
 */
export function refusedRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/** Where a delivery connects: the URL's host name, and the address that was checked for it. */
export interface CheckedDestination {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Checks the URL's scheme and form (no DNS): the creation-time checks that need no network. */
export function checkWebhookUrl(raw: string, policy: WebhookNetworkPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookAddressError('must be an absolute URL such as https://siem.example.com/hooks/1security');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw new WebhookAddressError(
      policy.allowHttp
        ? 'must use https:// or http://'
        : 'must use https:// (http:// is accepted only with WEBHOOK_ALLOW_HTTP=true)',
    );
  }
  if (url.username || url.password) throw new WebhookAddressError('must not carry a user name or password');
  if (raw.length > 2_000) throw new WebhookAddressError('must be at most 2000 characters');
  return url;
}

/**
 * Resolves the URL's host and checks every address it has: if any is refused, the URL is.
 * The delivery then connects to the returned address, so a DNS answer that changes between
 * the check and the connection (rebinding) cannot redirect it.
 */
export async function checkDestination(raw: string, policy: WebhookNetworkPolicy): Promise<CheckedDestination> {
  const url = checkWebhookUrl(raw, policy);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  let addresses: string[];
  if (net.isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(host);
    } catch (err) {
      throw new WebhookAddressError(
        `host ${host} could not be resolved (${(err as { code?: string }).code ?? 'DNS error'})`,
      );
    }
    if (addresses.length === 0) throw new WebhookAddressError(`host ${host} has no address`);
  }
  if (!policy.allowPrivateNetworks) {
    for (const address of addresses) {
      const refused = refusedRange(address);
      if (refused) {
        throw new WebhookAddressError(
          `${host === address ? `address ${address}` : `host ${host} resolves to ${address}`}, which is not a public address (${refused}); webhooks are delivered to public addresses only`,
        );
      }
    }
  }
  const address = addresses[0] as string;
  return { url, address, family: net.isIPv6(address) ? 6 : 4 };
}
