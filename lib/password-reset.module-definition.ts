import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PasswordResetModuleExtras, PasswordResetModuleOptions } from './password-reset.options.js';
import { DEFAULT_EXTRAS } from './password-reset.options.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: PASSWORD_RESET_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<PasswordResetModuleOptions>({ moduleName: 'PasswordReset' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createPasswordResetOptions')
  // The module's shape is finished in PasswordResetModule, which reads the same extras.
  .setExtras<PasswordResetModuleExtras>(
    { ...DEFAULT_EXTRAS, user: undefined, dataSource: undefined },
    (definition) => definition,
  )
  .build();
