/** What a secret is replaced with in anything that may reach a log. */
export const REDACTED = '[redacted]';

/** Nested errors (driver error, cause) are a few levels deep at most; the bound also stops odd graphs. */
const MAX_DEPTH = 6;

/**
 * Below this many characters a secret is cut out of no text: replacing a one-letter password inside an
 * English sentence garbles the sentence and, by where the marks fall, spells the password out. Any text
 * holding such a secret is replaced whole instead.
 */
const MIN_SUBSTRING_SECRET_LENGTH = 4;

/** How a secret may be spelled in an error: as typed, in each Unicode form, JSON-escaped, URL-encoded. */
function spellingsOf(secret: string): string[] {
  const forms = new Set([secret, ...(['NFC', 'NFD', 'NFKC', 'NFKD'] as const).map((form) => secret.normalize(form))]);
  const spellings = new Set<string>();
  for (const form of forms) {
    spellings.add(form).add(JSON.stringify(form).slice(1, -1));
    if (form.isWellFormed()) {
      const encoded = encodeURIComponent(form);
      spellings.add(encoded).add(encoded.replaceAll('%20', '+'));
    }
  }
  return [...spellings];
}

interface SecretPattern {
  pattern: RegExp;
  /** Too short to cut out of text (see MIN_SUBSTRING_SECRET_LENGTH). */
  short: boolean;
}

/** Finds any spelling, ignoring case (a validator may lower-case, percent-escapes may be either case). */
function secretPattern(secret: string): SecretPattern {
  const spellings = spellingsOf(secret).sort((a, b) => b.length - a.length);
  const alternatives = spellings.map((spelling) => spelling.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return {
    pattern: new RegExp(alternatives.join('|'), 'giu'),
    short: Math.min(...spellings.map((spelling) => [...spelling].length)) < MIN_SUBSTRING_SECRET_LENGTH,
  };
}

function redactWith({ pattern, short }: SecretPattern, text: string): string {
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  return short ? REDACTED : text.replace(pattern, REDACTED);
}

/** `text` with every spelling of `secret` replaced (or, for a very short secret, all of it). */
export function redactText(text: string, secret: string | undefined): string {
  return secret ? redactWith(secretPattern(secret), text) : text;
}

/**
 * A copy of an error with `secret` redacted from its text: message, stack and nested properties such as a
 * driver error's SQL, parameters or failing-row detail, which Nest's exception handler prints in full. The
 * copies keep their prototypes, so classes and codes stay usable by whoever handles them. Nothing is changed
 * in place: an error may reference objects shared across requests (a cached error, an HTTP agent). Objects
 * that are neither errors, arrays nor plain objects are replaced by their class name, as their contents
 * cannot be copied faithfully and may hold the secret (a request's body buffer).
 */
export function redactSecretInError<T>(error: T, secret: string): T {
  if (!secret) return error;
  return copy(error, secretPattern(secret), new Map(), 0) as T;
}

function copy(value: unknown, secret: SecretPattern, copies: Map<object, unknown>, depth: number): unknown {
  if (typeof value === 'string') return redactWith(secret, value);
  if (typeof value !== 'object' || value === null) return value;
  if (copies.has(value)) return copies.get(value);
  if (depth > MAX_DEPTH) return REDACTED;
  const prototype = Object.getPrototypeOf(value) as object | null;
  const copyable = Array.isArray(value) || value instanceof Error || prototype === Object.prototype || !prototype;
  if (!copyable) return `[${value.constructor?.name ?? 'object'}]`;
  // An error copy must be a native error (inspect and loggers print those by their stack), of the same class.
  const blank = Array.isArray(value) ? [] : value instanceof Error ? new Error() : {};
  const target = Object.setPrototypeOf(blank, prototype) as Record<string, unknown>;
  copies.set(value, target);
  for (const key of Object.getOwnPropertyNames(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    // Getters are left out: reading them may have effects, and what they return is not the error's own text.
    if (!('value' in descriptor)) continue;
    Object.defineProperty(target, key, { ...descriptor, value: copy(descriptor.value, secret, copies, depth + 1) });
  }
  return target;
}

/** `scheme://user:password@` in a connection URL: the password part, up to the last `@` before the host. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/]*@/giu;

/** `text` with the password of every connection URL in it masked (a driver or config error may quote one). */
export function redactUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1${REDACTED}@`);
}

/**
 * An error's name and message for a log line, with a secret (the token) masked wherever it appears, and any
 * connection URL's password.
 */
export function describeError(error: unknown, secret?: string): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redactUrlPasswords(redactText(text, secret));
}
