// `nestjs-password-reset/i18n`: the package's messages through nestjs-i18n (an optional peer), for apps that
// use it. Only this entry loads nestjs-i18n.
export {
  NEST_I18N_NAMESPACE,
  NestI18nLocaleResolver,
  NestI18nPasswordResetTranslator,
  passwordResetNestI18n,
} from './i18n/nest-i18n.integration.js';
