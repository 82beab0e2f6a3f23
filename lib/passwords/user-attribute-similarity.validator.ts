import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { currentPasswordResetMessages } from '../i18n/password-reset-locale.context.js';
import { PasswordValidator, type PasswordUserAttributes } from './password-validator.js';
import { similarityRatio } from './similarity-ratio.js';

export interface UserAttributeSimilarityValidatorOptions {
  /** Attributes of the user the password must not resemble. Default `['email', 'username']`. */
  attributes?: readonly string[];
  /** Similarity ratio (0.1 to 1) from which a password is refused; lower is stricter. Default 0.7. */
  maxSimilarity?: number;
  /** The refusal in every locale (default: the caller's language, key `passwordTooSimilar`); a function receives the attribute's name. */
  message?: PasswordResetMessage<[attribute: string]>;
}

/** The similarity check is quadratic or worse, so both sides are cut to this many code points. */
const MAX_COMPARED_LENGTH = 256;
/** Runs of anything but letters, marks, digits and `_`; unlike `\W`, this keeps "garcía" whole. */
const SEPARATORS = /[^\p{L}\p{M}\p{N}_]+/u;

/** Refuses passwords too similar to the user's own attributes (email, username, ...). */
export class UserAttributeSimilarityValidator extends PasswordValidator {
  private readonly attributes: readonly string[];
  private readonly maxSimilarity: number;
  private readonly message: (attribute: string) => string;

  constructor({
    attributes = ['email', 'username'],
    maxSimilarity = 0.7,
    message,
  }: UserAttributeSimilarityValidatorOptions = {}) {
    super();
    // Below 0.1 almost any password would be refused.
    if (typeof maxSimilarity !== 'number' || !(maxSimilarity >= 0.1 && maxSimilarity <= 1)) {
      throw new Error('maxSimilarity must be a number between 0.1 and 1');
    }
    this.attributes = [...attributes];
    this.maxSimilarity = maxSimilarity;
    this.message = resolveValidatorMessage(message, (attribute) =>
      currentPasswordResetMessages().passwordTooSimilar(attribute),
    );
  }

  validate(password: string, user: PasswordUserAttributes): string[] {
    const passwordChars = [...password.toLowerCase()];
    const messages: string[] = [];
    for (const attribute of this.attributes) {
      const value = user[attribute];
      if (typeof value !== 'string' || value === '') continue;
      if (candidates(value.toLowerCase()).some((candidate) => this.isTooSimilar(passwordChars, [...candidate]))) {
        messages.push(this.message(attribute));
      }
    }
    return messages;
  }

  private isTooSimilar(password: readonly string[], value: readonly string[]): boolean {
    // The ratio can't exceed 2 * shorter / total; skipping here avoids the costly comparison for most pairs.
    const shorter = Math.min(password.length, value.length);
    if ((2 * shorter) / (password.length + value.length) < this.maxSimilarity) return false;
    const ratio = similarityRatio(password.slice(0, MAX_COMPARED_LENGTH), value.slice(0, MAX_COMPARED_LENGTH));
    return ratio >= this.maxSimilarity;
  }
}

/**
 * The whole value, its pieces around `@` (an email's local part and domain) and its words:
 * "jane.doe@example.com" gives itself, "jane.doe", "example.com", "jane", "doe", "example" and "com".
 */
function candidates(value: string): string[] {
  // Cut before splitting so a hostile value can't yield an unbounded number of parts.
  const bounded = [...value].slice(0, MAX_COMPARED_LENGTH).join('');
  const parts = [value, ...bounded.split('@'), ...bounded.split(SEPARATORS)];
  return [...new Set(parts)].filter((part) => part !== '');
}
