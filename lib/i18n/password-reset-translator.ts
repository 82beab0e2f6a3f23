import { Inject, Injectable } from '@nestjs/common';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import type { ResolvedPasswordResetMessages } from '../password-reset.messages.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';

/**
 * Where a locale's messages come from. A strategy (replace it through `extraProviders`): the default serves
 * the shipped catalogues with the `messages` and `translations` options laid over them;
 * `NestI18nPasswordResetTranslator` (`nestjs-password-reset/i18n`) asks the app's nestjs-i18n first.
 */
export abstract class PasswordResetTranslator {
  /** The locales a call may be answered in. */
  abstract readonly locales: readonly string[];
  /** Every message of `locale` (one of `locales`, or `defaultLocale`). */
  abstract messagesFor(locale: string): ResolvedPasswordResetMessages;
}

@Injectable()
export class CataloguePasswordResetTranslator extends PasswordResetTranslator {
  readonly locales: readonly string[];

  constructor(@Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions) {
    super();
    this.locales = Object.keys(options.translations);
  }

  messagesFor(locale: string): ResolvedPasswordResetMessages {
    return this.options.translations[locale] ?? this.options.translations[this.options.defaultLocale];
  }
}
