import { dictionary } from '@zxcvbn-ts/language-common';
import { PasswordResetMessage, resolveValidatorMessage } from '../password-reset.messages.js';
import { currentPasswordResetMessages } from '../i18n/password-reset-locale.context.js';
import { PasswordValidator } from './password-validator.js';

export interface CommonPasswordValidatorOptions {
  /** Passwords to refuse, replacing the default list (zxcvbn-ts's ~49,000 most common passwords). */
  passwords?: Iterable<string>;
  /** The refusal in every locale (default: the caller's language, key `passwordTooCommon`). */
  message?: PasswordResetMessage;
}

/** Shared by every instance that uses the default list, and built on first use so importing stays cheap. */
let defaultCommonPasswords: ReadonlySet<string> | undefined;

function normalize(password: string): string {
  return password.trim().toLowerCase();
}

function toLookupSet(passwords: Iterable<string>): ReadonlySet<string> {
  const set = new Set<string>();
  for (const password of passwords) set.add(normalize(password));
  return set;
}

/** Refuses passwords found on a list of commonly used passwords, ignoring case and surrounding whitespace. */
export class CommonPasswordValidator extends PasswordValidator {
  /** Built here because a custom iterable (e.g. a generator) may only be readable once. */
  private readonly customPasswords?: ReadonlySet<string>;
  private readonly message: () => string;

  constructor({ passwords, message }: CommonPasswordValidatorOptions = {}) {
    super();
    this.message = resolveValidatorMessage(message, () => currentPasswordResetMessages().passwordTooCommon());
    if (passwords !== undefined) this.customPasswords = toLookupSet(passwords);
  }

  validate(password: string): string[] {
    const common = this.customPasswords ?? (defaultCommonPasswords ??= toLookupSet(dictionary['passwords-common']));
    return common.has(normalize(password)) ? [this.message()] : [];
  }
}
