/** What a secret is replaced with in anything that may reach a log. */
export const REDACTED = '[redacted]';

/** Nested errors (driver error, cause) are a few levels deep at most; the bound also stops odd graphs. */
const MAX_DEPTH = 6;

/** `text` with every occurrence of `secret` replaced. */
export function redactText(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join(REDACTED) : text;
}

/**
 * Replaces `secret` wherever it appears in an error's text: message, stack and nested properties such as a
 * driver error's SQL, parameters or failing-row detail, which Nest's exception handler prints in full. The
 * error is changed in place, so its class and codes stay usable by whoever handles it.
 */
export function redactSecretInError<T>(error: T, secret: string): T {
  if (secret) scrub(error, secret, new Set(), 0);
  return error;
}

function scrub(value: unknown, secret: string, seen: Set<object>, depth: number): void {
  if (typeof value !== 'object' || value === null || seen.has(value) || depth > MAX_DEPTH) return;
  seen.add(value);
  for (const key of Object.getOwnPropertyNames(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    // Getters are left alone: reading them may have effects, and they hold no stored text.
    if (!descriptor || !('value' in descriptor)) continue;
    const item: unknown = descriptor.value;
    if (typeof item !== 'string') scrub(item, secret, seen, depth + 1);
    else if (descriptor.writable && item.includes(secret)) {
      (value as Record<string, unknown>)[key] = redactText(item, secret);
    }
  }
}

/** An error's name and message for a log line, with a secret (the token) masked wherever it appears. */
export function describeError(error: unknown, secret?: string): string {
  return redactText(error instanceof Error ? `${error.name}: ${error.message}` : String(error), secret);
}
