import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { currentPasswordResetMessages } from '../i18n/password-reset-locale.context.js';
import { PasswordValidator } from './password-validator.js';

export interface PwnedPasswordValidatorOptions {
  /** Root of a Pwned Passwords range API (the public one, or a self-hosted mirror). Default `https://api.pwnedpasswords.com`. */
  baseUrl?: string;
  /** Milliseconds the whole lookup (connect, headers and body) may take. Default 1500. */
  timeoutMs?: number;
  /**
   * What to do when the API cannot answer (unreachable, too slow, not 200): `true` accepts the password and
   * logs a warning, `false` refuses it. Default true: an outage of a third-party service should not stop resets.
   */
  failOpen?: boolean;
  /** Breaches a password must have appeared in to be refused. Default 1. */
  minimumCount?: number;
  /** The refusal of a breached password in every locale. Default: the caller's language, key `passwordBreached`. */
  message?: PasswordResetMessage;
  /** The refusal when the API cannot answer and `failOpen` is false. Default: key `breachCheckUnavailable`. */
  unavailableMessage?: PasswordResetMessage;
}

/** The English refusals (in the caller's language: keys `passwordBreached`, `breachCheckUnavailable`). */
export { BREACHED_PASSWORD_MESSAGE, BREACH_CHECK_UNAVAILABLE_MESSAGE } from '../i18n/catalogues/en.js';

/** The protocol's fixed split of the upper-case SHA-1 hex: only the first part is ever sent. */
const PREFIX_LENGTH = 5;
/** No sane timeout is longer; a larger value is most likely seconds given where milliseconds are expected. */
const MAX_TIMEOUT_MS = 60_000;

/**
 * Refuses passwords known from data breaches, using the k-anonymity range API of Pwned Passwords: the
 * password's SHA-1 is computed here, only its first 5 hex digits are sent, and the matching suffix is looked
 * for in the answer. Padding is requested so the response size does not narrow the prefix down either.
 */
export class PwnedPasswordValidator extends PasswordValidator {
  private readonly logger = new Logger(PwnedPasswordValidator.name);
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly failOpen: boolean;
  private readonly minimumCount: number;
  private readonly message: () => string;
  private readonly unavailableMessage: () => string;

  constructor({
    baseUrl = 'https://api.pwnedpasswords.com',
    timeoutMs = 1500,
    failOpen = true,
    minimumCount = 1,
    message,
    unavailableMessage,
  }: PwnedPasswordValidatorOptions = {}) {
    super();
    this.baseUrl = parseBaseUrl(baseUrl);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new Error(`timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`);
    }
    if (typeof failOpen !== 'boolean') throw new Error('failOpen must be a boolean');
    if (!Number.isSafeInteger(minimumCount) || minimumCount < 1) {
      throw new Error('minimumCount must be a positive integer');
    }
    this.timeoutMs = timeoutMs;
    this.failOpen = failOpen;
    this.minimumCount = minimumCount;
    this.message = resolveValidatorMessage(message, () => currentPasswordResetMessages().passwordBreached());
    this.unavailableMessage = resolveValidatorMessage(
      unavailableMessage,
      () => currentPasswordResetMessages().breachCheckUnavailable(),
      'unavailableMessage',
    );
  }

  async validate(password: string): Promise<string[]> {
    const hash = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    let count: number;
    try {
      count = await this.breachCount(hash.slice(0, PREFIX_LENGTH), hash.slice(PREFIX_LENGTH));
    } catch (error) {
      // The reason comes from fetch or the status line, never from the password or its hash.
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const outcome = this.failOpen ? 'the password was accepted unchecked' : 'the password was refused';
      this.logger.warn(`Breached-password lookup failed (${reason}); ${outcome}`);
      return this.failOpen ? [] : [this.unavailableMessage()];
    }
    return count >= this.minimumCount ? [this.message()] : [];
  }

  /** How often the hash was seen in breaches; 0 when absent or listed only as padding. */
  private async breachCount(prefix: string, suffix: string): Promise<number> {
    const response = await fetch(`${this.baseUrl}/range/${prefix}`, {
      headers: { 'Add-Padding': 'true' },
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`the API answered HTTP ${response.status}`);
    }
    for (const line of (await response.text()).split('\n')) {
      const separator = line.indexOf(':');
      if (separator === -1 || line.slice(0, separator).trim().toUpperCase() !== suffix) continue;
      const count = Number.parseInt(line.slice(separator + 1).trim(), 10);
      return Number.isSafeInteger(count) && count > 0 ? count : 0;
    }
    return 0;
  }
}

function parseBaseUrl(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new Error('baseUrl must be an http(s) URL without query or fragment, e.g. https://api.pwnedpasswords.com');
  }
  return url.href.replace(/\/+$/, '');
}
