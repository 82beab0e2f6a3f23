import { CommonPasswordValidator } from './common-password.validator.js';
import { MinimumLengthValidator } from './minimum-length.validator.js';
import { NumericPasswordValidator } from './numeric-password.validator.js';
import type { PasswordValidator } from './password-validator.js';
import { UserAttributeSimilarityValidator } from './user-attribute-similarity.validator.js';

/** The rules applied when the app configures none: length, common passwords, all digits, likeness to the user. */
export function defaultPasswordValidators(): PasswordValidator[] {
  return [
    new MinimumLengthValidator({ minLength: 8 }),
    new CommonPasswordValidator(),
    new NumericPasswordValidator(),
    new UserAttributeSimilarityValidator(),
  ];
}
