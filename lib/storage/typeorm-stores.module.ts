import { DynamicModule, Module, Provider } from '@nestjs/common';
import { getDataSourceToken, getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import { ResetToken } from '../entities/reset-token.entity.js';
import { PASSWORD_RESET_TYPEORM_STORES } from '../password-reset.constants.js';
import type { PasswordResetUserConfig, ResolvedPasswordResetOptions } from '../password-reset.options.js';
import { TypeOrmUserStore } from '../users/typeorm-user-store.js';
import { TypeOrmResetTokenStore } from './typeorm-reset-token.store.js';

/** Builds the default stores on the app's TypeORM data source. */
export interface PasswordResetTypeOrmStores {
  tokenStore(): TypeOrmResetTokenStore;
  userStore(config: PasswordResetUserConfig, options: ResolvedPasswordResetOptions): TypeOrmUserStore;
}

/**
 * The TypeORM side of PasswordResetModule, imported (and so loaded at all) only while a default store is in
 * use: an app with its own token and user stores needs neither typeorm nor @nestjs/typeorm.
 */
@Module({})
export class PasswordResetTypeOrmStoresModule {
  static forFeature(dataSource: string | undefined, { tokens }: { tokens: boolean }): DynamicModule {
    const provider: Provider = {
      provide: PASSWORD_RESET_TYPEORM_STORES,
      useFactory: (source: DataSource, repository?: Repository<ResetToken>): PasswordResetTypeOrmStores => ({
        tokenStore: () => new TypeOrmResetTokenStore(repository!),
        userStore: (config, options) => new TypeOrmUserStore(source, config, options),
      }),
      inject: [getDataSourceToken(dataSource), ...(tokens ? [getRepositoryToken(ResetToken, dataSource)] : [])],
    };
    return {
      module: PasswordResetTypeOrmStoresModule,
      // forFeature also lists the entity for the app's `autoLoadEntities`.
      imports: tokens ? [TypeOrmModule.forFeature([ResetToken], dataSource)] : [],
      providers: [provider],
      exports: [PASSWORD_RESET_TYPEORM_STORES],
    };
  }
}
