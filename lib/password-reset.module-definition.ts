import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PasswordResetModuleExtras, PasswordResetModuleOptions } from './password-reset.options.js';
import { EXTRA_DEFAULTS_AND_PLACEHOLDERS } from './password-reset.options.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: PASSWORD_RESET_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PasswordResetModuleOptions>({ moduleName: 'PasswordReset' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPasswordResetOptions')
  // The module's shape is finished in PasswordResetModule.finish, which merges the defaults once.
  .setExtras<PasswordResetModuleExtras>(EXTRA_DEFAULTS_AND_PLACEHOLDERS, (definition) => definition)
  .build();
