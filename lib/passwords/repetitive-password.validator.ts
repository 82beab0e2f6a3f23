import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { foldIdentifier } from '../utils/identifier.util.js';
import { PasswordValidator } from './password-validator.js';

/** The longest unit whose repetition is refused: `passpass` is refused, `password password` is not. */
const MAX_UNIT_LENGTH = 4;

export interface RepetitivePasswordValidatorOptions {
  /** The refusal, e.g. a translation. */
  message?: PasswordResetMessage;
}

/**
 * Refuses a password that is one to four characters repeated, ignoring case and compatibility forms:
 * `aaaaaaaa`, `abababab`, `abcabcab`, `PassPASS` (NIST SP 800-63B: repetitive characters). The unit must
 * appear at least twice in full; the last repeat may be cut short.
 */
export class RepetitivePasswordValidator extends PasswordValidator {
  private readonly message: () => string;

  constructor({ message }: RepetitivePasswordValidatorOptions = {}) {
    super();
    this.message = resolveValidatorMessage(message, () => 'This password repeats a few characters over and over.');
  }

  validate(password: string): string[] {
    const chars = [...foldIdentifier(password)];
    for (let unit = 1; unit <= MAX_UNIT_LENGTH && unit * 2 <= chars.length; unit++) {
      if (chars.every((char, index) => char === chars[index % unit])) return [this.message()];
    }
    return [];
  }
}
