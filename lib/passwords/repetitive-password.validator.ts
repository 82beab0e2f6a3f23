import { foldIdentifier } from '../utils/identifier.util.js';
import { SingleRulePasswordValidator, SingleRulePasswordValidatorOptions } from './single-rule-password.validator.js';

/** The longest unit whose repetition is refused: `passpass` is refused, `password password` is not. */
const MAX_UNIT_LENGTH = 4;

export type RepetitivePasswordValidatorOptions = SingleRulePasswordValidatorOptions;

/**
 * Refuses a password that is one to four characters repeated, ignoring case and compatibility forms:
 * `aaaaaaaa`, `abababab`, `abcabcab`, `PassPASS` (NIST SP 800-63B: repetitive characters). The unit must
 * appear at least twice in full; the last repeat may be cut short.
 */
export class RepetitivePasswordValidator extends SingleRulePasswordValidator {
  constructor({ message }: RepetitivePasswordValidatorOptions = {}) {
    super(message, 'passwordRepetitive');
  }

  protected refuses(password: string): boolean {
    const chars = [...foldIdentifier(password)];
    for (let unit = 1; unit <= MAX_UNIT_LENGTH && unit * 2 <= chars.length; unit++) {
      if (chars.every((char, index) => char === chars[index % unit])) return true;
    }
    return false;
  }
}
