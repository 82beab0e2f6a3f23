import { Inject, Injectable, Provider } from '@nestjs/common';
import { I18nContext, I18nService } from 'nestjs-i18n';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import { MESSAGE_ARGUMENT_NAMES, MESSAGE_KEYS } from '../password-reset.messages.js';
import type { ResolvedPasswordResetMessages } from '../password-reset.messages.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import type { HttpRequestLike } from '../utils/client-info.util.js';
import { matchLocale } from './accept-language.util.js';
import { PasswordResetLocaleResolver } from './password-reset-locale.resolver.js';
import { PasswordResetTranslator } from './password-reset-translator.js';

/** The namespace of the package's keys in the app's translation files: `password_reset.invalidToken`, ... */
export const NEST_I18N_NAMESPACE = 'password_reset';

/** The request as nestjs-i18n's middleware leaves it: the language on Express's request or Fastify's raw one. */
type I18nRequest = HttpRequestLike & { i18nLang?: string; raw?: { i18nLang?: string } };

/**
 * The language nestjs-i18n resolved for the request, with the app's own resolvers (query, header, cookie,
 * Accept-Language, ...). Read from the request, since the package's guard runs before nestjs-i18n's interceptor.
 */
@Injectable()
export class NestI18nLocaleResolver extends PasswordResetLocaleResolver {
  resolve(request: HttpRequestLike): string | undefined {
    const { i18nLang, raw } = request as I18nRequest;
    return i18nLang ?? raw?.i18nLang ?? I18nContext.current()?.lang;
  }
}

/**
 * The package's messages through the app's `I18nService`: a key the app translates
 * (`password_reset.<key>` in its files, the values by name: `{field}`, `{maxLength}`, ...) wins in that
 * language; any other is the package's own (shipped catalogues, `messages`, `translations`).
 */
@Injectable()
export class NestI18nPasswordResetTranslator extends PasswordResetTranslator {
  constructor(
    protected readonly i18n: I18nService,
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
  ) {
    super();
  }

  /** The package's locales and the app's. */
  get locales(): readonly string[] {
    return [...new Set([...Object.keys(this.options.translations), ...this.i18n.getSupportedLanguages()])];
  }

  messagesFor(locale: string): ResolvedPasswordResetMessages {
    const own = Object.keys(this.options.translations);
    const fallback = this.options.translations[matchLocale([locale], own) ?? this.options.defaultLocale];
    // For a language nestjs-i18n has no files for, it answers with the key itself: ask it only about its own.
    if (!this.i18n.getSupportedLanguages().includes(locale)) return fallback;
    const messages: Record<string, (...args: unknown[]) => string> = {};
    for (const key of MESSAGE_KEYS) {
      const ownMessage = fallback[key] as (...args: unknown[]) => string;
      messages[key] = (...values: unknown[]) => {
        const args = Object.fromEntries(MESSAGE_ARGUMENT_NAMES[key].map((name, i) => [name, values[i]]));
        const defaultValue = ownMessage(...values);
        const text: unknown = this.i18n.translate(`${NEST_I18N_NAMESPACE}.${key}`, {
          lang: locale,
          args,
          defaultValue,
        });
        const translated = typeof text === 'string' && text !== '' && text !== `${NEST_I18N_NAMESPACE}.${key}`;
        return translated ? text : defaultValue;
      };
    }
    return messages as unknown as ResolvedPasswordResetMessages;
  }
}

/**
 * Both strategies, for the module's `extraProviders`, in an app that imports nestjs-i18n's `I18nModule`:
 * `PasswordResetModule.forRoot({ ..., extraProviders: [...passwordResetNestI18n()] })`.
 */
export function passwordResetNestI18n(): Provider[] {
  return [
    { provide: PasswordResetLocaleResolver, useClass: NestI18nLocaleResolver },
    { provide: PasswordResetTranslator, useClass: NestI18nPasswordResetTranslator },
  ];
}
