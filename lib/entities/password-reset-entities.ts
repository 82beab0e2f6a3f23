import type { PasswordResetEntityClass } from '../password-reset.options.js';
import { registerUserEntity } from '../users/user-entity.registry.js';
import { ResetToken } from './reset-token.entity.js';

/**
 * The entities to list in a data source built without PasswordResetModule (the TypeORM migration CLI, the
 * clear-expired cron job): `entities: [User, ...passwordResetEntities(User)]`. Ties ResetToken to the user
 * entity as `forRoot({ user: { entity: User } })` would.
 */
export function passwordResetEntities(userEntity: PasswordResetEntityClass): [typeof ResetToken] {
  registerUserEntity(userEntity);
  return [ResetToken];
}
