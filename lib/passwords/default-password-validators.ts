import { BlankPasswordValidator } from './blank-password.validator.js';
import { CommonPasswordValidator } from './common-password.validator.js';
import { MinimumLengthValidator } from './minimum-length.validator.js';
import { NumericPasswordValidator } from './numeric-password.validator.js';
import type { PasswordValidator } from './password-validator.js';
import { RepetitivePasswordValidator } from './repetitive-password.validator.js';
import { SequentialPasswordValidator } from './sequential-password.validator.js';
import { UserAttributeSimilarityValidator } from './user-attribute-similarity.validator.js';

/**
 * The rules applied when the app configures none: length, something visible, common passwords, all digits,
 * repetitions and sequences, likeness to the user. A blocklist in the sense of NIST SP 800-63B, no
 * composition rules.
 */
export function defaultPasswordValidators(): PasswordValidator[] {
  return [
    new MinimumLengthValidator({ minLength: 8 }),
    new BlankPasswordValidator(),
    new CommonPasswordValidator(),
    new NumericPasswordValidator(),
    new RepetitivePasswordValidator(),
    new SequentialPasswordValidator(),
    new UserAttributeSimilarityValidator(),
  ];
}
