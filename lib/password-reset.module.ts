import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { getDataSourceToken, getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { ResetToken } from './entities/reset-token.entity.js';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  PASSWORD_RESET_MODULE_OPTIONS,
} from './password-reset.module-definition.js';
import {
  PASSWORD_RESET_OPENAPI,
  PASSWORD_RESET_OPTIONS,
  PASSWORD_RESET_TOKEN_REPOSITORY,
  PASSWORD_RESET_USER_CONFIG,
} from './password-reset.constants.js';
import { createPasswordResetController } from './password-reset.controller.js';
import { PasswordResetListenerInspector } from './password-reset-listener.inspector.js';
import { PasswordResetOpenApiDocumenter } from './openapi/password-reset-openapi.documenter.js';
import {
  DEFAULT_EXTRAS,
  PasswordResetModuleExtras,
  PasswordResetModuleOptions,
  PasswordResetUserConfig,
  ResolvedPasswordResetOptions,
  resolvePasswordResetOptions,
  validatePasswordResetExtras,
} from './password-reset.options.js';
import { PasswordResetService } from './password-reset.service.js';
import { BcryptPasswordHasher } from './passwords/bcrypt-password-hasher.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { BaseTokenGenerator } from './tokens/base-token-generator.js';
import { PasswordResetUserStore } from './users/password-reset-user-store.js';
import { TypeOrmUserStore } from './users/typeorm-user-store.js';
import { registerUserEntity } from './users/user-entity.registry.js';
import { PasswordResetThrottleGuard } from './throttling/password-reset-throttle.guard.js';
import { PasswordResetThrottler } from './throttling/password-reset-throttler.js';
import { definedEntries } from './utils/object.util.js';

/**
 * The password-reset flow for a Nest app. Register once, with `forRoot` or `forRootAsync`; the host app
 * owns TypeORM and EventEmitterModule.
 */
@Module({})
export class PasswordResetModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return this.finish(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return this.finish(super.forRootAsync(options), options);
  }

  private static finish(definition: DynamicModule, given: PasswordResetModuleExtras): DynamicModule {
    validatePasswordResetExtras(given);
    const extras = { ...DEFAULT_EXTRAS, ...definedEntries(given) };
    const user = extras.user as PasswordResetUserConfig;
    registerUserEntity(user.entity);

    const overridden = new Set(extras.extraProviders.map(providedToken));
    const defaults: Provider[] = [
      {
        provide: BaseTokenGenerator,
        useFactory: (options: ResolvedPasswordResetOptions) => options.tokenGenerator,
        inject: [PASSWORD_RESET_OPTIONS],
      },
      {
        provide: PasswordHasher,
        useFactory: (options: ResolvedPasswordResetOptions) => new BcryptPasswordHasher({ cost: options.bcryptCost }),
        inject: [PASSWORD_RESET_OPTIONS],
      },
      {
        provide: PasswordResetUserStore,
        useFactory: (...args: ConstructorParameters<typeof TypeOrmUserStore>) => new TypeOrmUserStore(...args),
        inject: [getDataSourceToken(extras.dataSource), PASSWORD_RESET_USER_CONFIG, PASSWORD_RESET_OPTIONS],
      },
      { provide: PasswordResetOpenApiDocumenter, useClass: PasswordResetOpenApiDocumenter },
    ].filter((provider) => !overridden.has(provider.provide));

    const controller = extras.registerController ? createPasswordResetController(extras.path) : undefined;
    // An async factory: Nest awaits it while creating the app, so before any SwaggerModule.createDocument.
    const documentation: Provider[] = controller
      ? [
          {
            provide: PASSWORD_RESET_OPENAPI,
            useFactory: (documenter: PasswordResetOpenApiDocumenter) => documenter.document(controller),
            inject: [PasswordResetOpenApiDocumenter],
          },
        ]
      : [];

    const providers: Provider[] = [
      ...(definition.providers ?? []),
      {
        provide: PASSWORD_RESET_OPTIONS,
        useFactory: (options: PasswordResetModuleOptions) => resolvePasswordResetOptions(options),
        inject: [PASSWORD_RESET_MODULE_OPTIONS],
      },
      { provide: PASSWORD_RESET_USER_CONFIG, useValue: user },
      { provide: PASSWORD_RESET_TOKEN_REPOSITORY, useExisting: getRepositoryToken(ResetToken, extras.dataSource) },
      ...defaults,
      ...extras.extraProviders,
      PasswordResetService,
      PasswordResetThrottler,
      PasswordResetThrottleGuard,
      PasswordResetListenerInspector,
      ...documentation,
    ];

    return {
      ...definition,
      global: extras.isGlobal,
      imports: [
        ...(definition.imports ?? []),
        DiscoveryModule,
        TypeOrmModule.forFeature([ResetToken], extras.dataSource),
      ],
      controllers: controller ? [controller] : [],
      providers,
      exports: [
        PasswordResetService,
        PASSWORD_RESET_OPTIONS,
        PASSWORD_RESET_TOKEN_REPOSITORY,
        BaseTokenGenerator,
        PasswordHasher,
        PasswordResetUserStore,
        PasswordResetThrottler,
      ],
    };
  }
}

function providedToken(provider: Provider): unknown {
  return typeof provider === 'function' ? provider : provider.provide;
}
