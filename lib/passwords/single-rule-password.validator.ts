import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { currentPasswordResetMessages } from '../i18n/password-reset-locale.context.js';
import type { PasswordResetMessageKey } from '../password-reset.messages.js';
import { PasswordValidator } from './password-validator.js';

/** The options of a validator with one rule: only its refusal's wording. */
export interface SingleRulePasswordValidatorOptions {
  /** The refusal in every locale (default: the rule's message in the caller's language). */
  message?: PasswordResetMessage;
}

/** A validator with one rule and one message; the built-in shape rules (blank, numeric, ...) share it. */
export abstract class SingleRulePasswordValidator extends PasswordValidator {
  private readonly message: () => string;

  /** `defaultMessage`: the key of the refusal in the catalogues. */
  protected constructor(
    message: PasswordResetMessage | undefined,
    defaultMessage: Extract<PasswordResetMessageKey, `password${string}`>,
  ) {
    super();
    this.message = resolveValidatorMessage(message, () =>
      (currentPasswordResetMessages()[defaultMessage] as () => string)(),
    );
  }

  /** True when the password breaks the rule. */
  protected abstract refuses(password: string): boolean;

  validate(password: string): string[] {
    return this.refuses(password) ? [this.message()] : [];
  }
}
