// `nestjs-password-reset/typeorm`: the default stores on TypeORM, their entity and migrations. Imported only by
// apps that use TypeORM, which then install typeorm and @nestjs/typeorm.
export { ResetToken } from './entities/reset-token.entity.js';
export { passwordResetEntities } from './entities/password-reset-entities.js';
export {
  CreatePasswordResetTokens1795737600000,
  PASSWORD_RESET_MIGRATIONS,
} from './migrations/create-password-reset-tokens.migration.js';
export { TypeOrmResetTokenStore } from './storage/typeorm-reset-token.store.js';
export { TypeOrmUserStore } from './users/typeorm-user-store.js';
