import { foldIdentifier } from '../utils/identifier.util.js';
import { SingleRulePasswordValidator, SingleRulePasswordValidatorOptions } from './single-rule-password.validator.js';

/** Shorter runs are left to the length rule. */
const MIN_SEQUENCE_LENGTH = 3;

/** The rows of a US QWERTY keyboard, read left to right; a run along one, either way, is a sequence. */
const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

export type SequentialPasswordValidatorOptions = SingleRulePasswordValidatorOptions;

/**
 * Refuses a password that, as a whole and ignoring case and compatibility forms, is a run of consecutive
 * characters up or down (`12345678`, `abcdefgh`, `98765432`, `ZYXWVUTS`) or a stretch of one QWERTY row either
 * way (`qwertyui`, `lkjhgfds`): NIST SP 800-63B's sequential characters. A sequence inside a longer password
 * is not refused.
 */
export class SequentialPasswordValidator extends SingleRulePasswordValidator {
  constructor({ message }: SequentialPasswordValidatorOptions = {}) {
    super(message, 'passwordSequential');
  }

  protected refuses(password: string): boolean {
    const folded = foldIdentifier(password);
    const points = Array.from(folded, (char) => char.codePointAt(0)!);
    if (points.length < MIN_SEQUENCE_LENGTH) return false;
    const step = points[1] - points[0];
    const consecutive = Math.abs(step) === 1 && points.every((point, i) => i === 0 || point - points[i - 1] === step);
    const alongRow = KEYBOARD_ROWS.some((row) => row.includes(folded) || [...row].reverse().join('').includes(folded));
    return consecutive || alongRow;
  }
}
