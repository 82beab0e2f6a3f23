import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { PasswordValidator } from './password-validator.js';

/** The options of a validator with one rule: only its refusal's wording. */
export interface SingleRulePasswordValidatorOptions {
  /** The refusal, e.g. a translation. */
  message?: PasswordResetMessage;
}

/** A validator with one rule and one message; the built-in shape rules (blank, numeric, ...) share it. */
export abstract class SingleRulePasswordValidator extends PasswordValidator {
  private readonly message: () => string;

  protected constructor(message: PasswordResetMessage | undefined, defaultMessage: string) {
    super();
    this.message = resolveValidatorMessage(message, () => defaultMessage);
  }

  /** True when the password breaks the rule. */
  protected abstract refuses(password: string): boolean;

  validate(password: string): string[] {
    return this.refuses(password) ? [this.message()] : [];
  }
}
