import type { DynamicModule, Provider } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { AcceptLanguageResolver, I18nJsonLoader, I18nModule, QueryResolver } from 'nestjs-i18n';
import { passwordResetNestI18n } from 'nestjs-password-reset/i18n';

export interface SampleNestI18n {
  /** nestjs-i18n's module, for the app's imports. */
  module: DynamicModule;
  /** The package's messages through it, for the module's extraProviders. */
  providers: Provider[];
}

/**
 * NEST_I18N=true: the app's translations (sample/i18n/<lang>/password_reset.json) override the package's
 * messages, language by language; `?lang=` or Accept-Language picks the language. main.ts loads this file
 * only then.
 */
export function loadNestI18n(): SampleNestI18n {
  return {
    module: I18nModule.forRoot({
      fallbackLanguage: 'en',
      loader: I18nJsonLoader,
      loaderOptions: { path: fileURLToPath(new URL('../i18n/', import.meta.url)), watch: false },
      resolvers: [{ use: QueryResolver, options: ['lang'] }, AcceptLanguageResolver],
      logging: false,
    }),
    providers: passwordResetNestI18n(),
  };
}
