import { AsyncLocalStorage } from 'node:async_hooks';
import { DEFAULT_MESSAGES, MESSAGE_KEYS } from '../password-reset.messages.js';
import type { ResolvedPasswordResetMessages } from '../password-reset.messages.js';

/** The locale of the call being answered, and its messages. */
export interface PasswordResetLocaleScope {
  locale: string;
  messages: ResolvedPasswordResetMessages;
}

// One store for the process: the password validators are built by the app, outside Nest's injector, and
// still answer in the caller's language.
const storage = new AsyncLocalStorage<PasswordResetLocaleScope>();

/** Runs `work` with `scope` as the current locale (the controller, guards and resolver do, per call). */
export function runInPasswordResetLocale<T>(scope: PasswordResetLocaleScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The locale of the call being answered, or undefined outside one (a queued job, the app's own code). */
export function currentPasswordResetLocale(): string | undefined {
  return storage.getStore()?.locale;
}

/** The messages of the call being answered; outside one, `fallback`. */
export function currentPasswordResetMessages(
  fallback: ResolvedPasswordResetMessages = DEFAULT_MESSAGES,
): ResolvedPasswordResetMessages {
  return storage.getStore()?.messages ?? fallback;
}

/**
 * Messages that answer in the current call's locale, else in `fallback`'s: what `options.messages` is, so
 * every place that builds a message keeps one spelling and gets the caller's language.
 */
export function localisedMessages(fallback: ResolvedPasswordResetMessages): ResolvedPasswordResetMessages {
  const view: Record<string, (...args: never[]) => string> = {};
  for (const key of MESSAGE_KEYS) {
    view[key] = (...args: never[]) => currentPasswordResetMessages(fallback)[key](...args);
  }
  return view as unknown as ResolvedPasswordResetMessages;
}
