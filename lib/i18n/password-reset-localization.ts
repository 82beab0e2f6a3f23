import { Inject, Injectable } from '@nestjs/common';
import { PASSWORD_RESET_OPTIONS } from '../password-reset.constants.js';
import type { ResolvedPasswordResetOptions } from '../password-reset.options.js';
import type { HttpRequestLike } from '../utils/client-info.util.js';
import { matchLocale } from './accept-language.util.js';
import { runInPasswordResetLocale } from './password-reset-locale.context.js';
import { PasswordResetLocaleResolver } from './password-reset-locale.resolver.js';
import { PasswordResetTranslator } from './password-reset-translator.js';

/** Answers a call in its caller's language: resolves the locale once, then runs the call inside it. */
@Injectable()
export class PasswordResetLocalization {
  constructor(
    protected readonly resolver: PasswordResetLocaleResolver,
    protected readonly translator: PasswordResetTranslator,
    @Inject(PASSWORD_RESET_OPTIONS) protected readonly options: ResolvedPasswordResetOptions,
  ) {}

  /** The locale a request is answered in: the resolver's choice among the available ones, else `defaultLocale`. */
  async localeOf(request: HttpRequestLike): Promise<string> {
    const available = this.translator.locales;
    const wanted = await this.resolver.resolve(request, available);
    return (wanted === undefined ? undefined : matchLocale([wanted], available)) ?? this.options.defaultLocale;
  }

  /** Runs `work` with the request's locale current, so every message it builds is in that language. */
  async run<T>(request: HttpRequestLike, work: () => Promise<T>): Promise<T> {
    const locale = await this.localeOf(request);
    return runInPasswordResetLocale({ locale, messages: this.translator.messagesFor(locale) }, work);
  }
}
