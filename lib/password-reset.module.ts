import { DynamicModule, Module, Provider } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  OPTIONS_TYPE,
  PASSWORD_RESET_MODULE_OPTIONS,
} from './password-reset.module-definition.js';
import {
  PASSWORD_RESET_OPENAPI,
  PASSWORD_RESET_OPTIONS,
  PASSWORD_RESET_TYPEORM_STORES,
  PASSWORD_RESET_USER_CONFIG,
} from './password-reset.constants.js';
import { createPasswordResetController } from './password-reset.controller.js';
import { PasswordResetListenerInspector } from './password-reset-listener.inspector.js';
import { PasswordResetOpenApiDocumenter } from './openapi/password-reset-openapi.documenter.js';
import {
  DEFAULT_EXTRAS,
  PasswordResetModuleExtras,
  PasswordResetModuleOptions,
  ResolvedPasswordResetOptions,
  resolvePasswordResetOptions,
  validatePasswordResetExtras,
} from './password-reset.options.js';
import { PasswordResetService } from './password-reset.service.js';
import { BcryptPasswordHasher } from './passwords/bcrypt-password-hasher.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { InProcessTokenRequestQueue } from './queue/in-process-token-request.queue.js';
import { TokenRequestQueue } from './queue/token-request.queue.js';
import { ResetTokenStore } from './storage/reset-token.store.js';
import type { PasswordResetTypeOrmStores } from './storage/typeorm-stores.module.js';
import { BaseTokenGenerator } from './tokens/base-token-generator.js';
import { PasswordResetUserStore } from './users/password-reset-user-store.js';
import { registerUserEntity } from './users/user-entity.registry.js';
import { PasswordResetLocalization } from './i18n/password-reset-localization.js';
import { AcceptLanguageLocaleResolver, PasswordResetLocaleResolver } from './i18n/password-reset-locale.resolver.js';
import { CataloguePasswordResetTranslator, PasswordResetTranslator } from './i18n/password-reset-translator.js';
import { PasswordResetAudit } from './observability/password-reset-audit.js';
import { PasswordResetThrottleGuard } from './throttling/password-reset-throttle.guard.js';
import { PasswordResetThrottler } from './throttling/password-reset-throttler.js';
import { definedEntries } from './utils/object.util.js';

/** The strategies: each an abstract class used as DI token, with a default the module builds from the options. */
const STRATEGIES = [
  BaseTokenGenerator,
  PasswordHasher,
  PasswordResetUserStore,
  ResetTokenStore,
  TokenRequestQueue,
  PasswordResetLocaleResolver,
  PasswordResetTranslator,
];

/**
 * The password-reset flow for a Nest app. Register once, with `forRoot` or `forRootAsync`; the host app
 * owns its data source and EventEmitterModule.
 */
@Module({})
export class PasswordResetModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return this.finish(super.forRoot(options), options, false);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return this.finish(super.forRootAsync(options), options, true);
  }

  private static finish(definition: DynamicModule, given: PasswordResetModuleExtras, async: boolean): DynamicModule {
    // A strategy in extraProviders replaces its default, which is then not built (nor its TypeORM loaded).
    const replaced = new Set(
      (given.extraProviders ?? []).map((provider) => (typeof provider === 'function' ? provider : provider.provide)),
    );
    const typeorm = { tokens: !replaced.has(ResetTokenStore), users: !replaced.has(PasswordResetUserStore) };
    validatePasswordResetExtras(given, { async, userEntityRequired: typeorm.tokens || typeorm.users });
    const extras = { ...DEFAULT_EXTRAS, ...definedEntries(given) };
    if (extras.user) registerUserEntity(extras.user.entity);

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
        useFactory: (stores: PasswordResetTypeOrmStores, options: ResolvedPasswordResetOptions) =>
          stores.userStore(extras.user!, options),
        inject: [PASSWORD_RESET_TYPEORM_STORES, PASSWORD_RESET_OPTIONS],
      },
      {
        provide: ResetTokenStore,
        useFactory: (stores: PasswordResetTypeOrmStores) => stores.tokenStore(),
        inject: [PASSWORD_RESET_TYPEORM_STORES],
      },
      {
        provide: TokenRequestQueue,
        useFactory: (options: ResolvedPasswordResetOptions) =>
          new InProcessTokenRequestQueue({ maxPending: options.queue.maxPending }),
        inject: [PASSWORD_RESET_OPTIONS],
      },
      { provide: PasswordResetOpenApiDocumenter, useClass: PasswordResetOpenApiDocumenter },
      { provide: PasswordResetLocaleResolver, useClass: AcceptLanguageLocaleResolver },
      { provide: PasswordResetTranslator, useClass: CataloguePasswordResetTranslator },
    ].filter((provider) => !replaced.has(provider.provide));
    const typeormStores =
      typeorm.tokens || typeorm.users
        ? [
            import('./storage/typeorm-stores.module.js').then(({ PasswordResetTypeOrmStoresModule }) =>
              PasswordResetTypeOrmStoresModule.forFeature(extras.dataSource, typeorm),
            ),
          ]
        : [];

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

    return {
      ...definition,
      global: extras.isGlobal,
      imports: [...(definition.imports ?? []), DiscoveryModule, ...typeormStores],
      controllers: controller ? [controller] : [],
      providers: [
        ...(definition.providers ?? []),
        {
          provide: PASSWORD_RESET_OPTIONS,
          useFactory: (options: PasswordResetModuleOptions) => resolvePasswordResetOptions(options),
          inject: [PASSWORD_RESET_MODULE_OPTIONS],
        },
        { provide: PASSWORD_RESET_USER_CONFIG, useValue: extras.user },
        ...defaults,
        ...extras.extraProviders,
        PasswordResetAudit,
        PasswordResetService,
        PasswordResetThrottler,
        PasswordResetThrottleGuard,
        PasswordResetLocalization,
        PasswordResetListenerInspector,
        ...documentation,
      ],
      exports: [
        PasswordResetService,
        PasswordResetAudit,
        PasswordResetThrottler,
        PASSWORD_RESET_OPTIONS,
        PasswordResetLocalization,
        ...STRATEGIES,
      ],
    };
  }
}
