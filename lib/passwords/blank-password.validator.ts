import { SingleRulePasswordValidator, SingleRulePasswordValidatorOptions } from './single-rule-password.validator.js';

/**
 * A character that shows: anything but white space (spaces, tabs, U+3000, no-break space, ...), control and
 * format characters, and the default-ignorable ones that render as nothing (U+200B, U+2060, U+3164 ...).
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

export type BlankPasswordValidatorOptions = SingleRulePasswordValidatorOptions;

/** Refuses passwords with no visible character: eight spaces, tabs or zero-width spaces are not a password. */
export class BlankPasswordValidator extends SingleRulePasswordValidator {
  constructor({ message }: BlankPasswordValidatorOptions = {}) {
    super(message, 'passwordBlank');
  }

  protected refuses(password: string): boolean {
    return !VISIBLE.test(password);
  }
}
