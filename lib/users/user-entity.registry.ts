import type { PasswordResetEntityClass } from '../password-reset.options.js';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';

/**
 * TypeORM reads relation targets lazily, when a data source builds its metadata. The module registers the
 * app's user entity before that happens, so `ResetToken` can reference a table it cannot import.
 */
let userEntity: PasswordResetEntityClass | undefined;

export function registerUserEntity(entity: PasswordResetEntityClass): void {
  userEntity = entity;
}

export function resolveUserEntity(): PasswordResetEntityClass {
  if (!userEntity) {
    throw new PasswordResetConfigurationError(
      'user.entity is required: pass `user: { entity: User }` to forRoot()/forRootAsync() before the data source starts',
    );
  }
  return userEntity;
}
