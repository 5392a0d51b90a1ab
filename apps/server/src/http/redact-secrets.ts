/** Anything shaped like an API key secret (also percent-encoded, or cut short). */
const SECRET_IN_TEXT = /1sec_live_[A-Za-z0-9_%-]+/gi;

/**
 * The text with API key secrets replaced by `1sec_live_[Redacted]`. Keys are only read from
 * headers, but clients paste them into URLs by mistake: such text must reach neither the logs
 * nor an error message (which proxies and pollers log in turn).
 */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_IN_TEXT, '1sec_live_[Redacted]');
}
