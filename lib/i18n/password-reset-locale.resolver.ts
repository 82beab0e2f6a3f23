import { Injectable } from '@nestjs/common';
import type { HttpRequestLike } from '../utils/client-info.util.js';
import { matchLocale, parseAcceptLanguage } from './accept-language.util.js';

/**
 * Which language a call is answered in. A strategy (replace it through `extraProviders`): the default reads
 * `Accept-Language`; an app may read a cookie, the signed-in user's setting, or nestjs-i18n's context
 * (`nestjs-password-reset/i18n`). What it returns is matched against the available locales again (so
 * `pt-PT` gets `pt-BR`); undefined, or no match, gives `defaultLocale`.
 */
export abstract class PasswordResetLocaleResolver {
  abstract resolve(
    request: HttpRequestLike,
    available: readonly string[],
  ): string | undefined | Promise<string | undefined>;
}

/** The best match of the request's `Accept-Language` (q-values, then language-range fallback). */
@Injectable()
export class AcceptLanguageLocaleResolver extends PasswordResetLocaleResolver {
  resolve(request: HttpRequestLike, available: readonly string[]): string | undefined {
    const header = request.headers['accept-language'];
    return matchLocale(parseAcceptLanguage(Array.isArray(header) ? header.join(',') : header), available);
  }
}
