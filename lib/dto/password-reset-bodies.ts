import { isEmail } from 'class-validator';
import {
  MAX_LOOKUP_VALUE_LENGTH,
  MAX_PASSWORD_LENGTH,
  MAX_PROOF_LENGTH,
  MAX_TOKEN_LENGTH,
} from '../password-reset.constants.js';
import {
  InvalidResetTokenException,
  PasswordResetBadRequestException,
} from '../exceptions/password-reset.exceptions.js';
import type { ResolvedPasswordResetMessages } from '../password-reset.messages.js';

/**
 * The request bodies are checked here rather than by the app's global ValidationPipe: the lookup field's
 * name is configurable, and the rules must hold whatever pipes the host installs.
 */
interface FieldRule {
  maxLength: number;
  /** Tokens and identifiers are trimmed (copy-paste); passwords are taken exactly as typed. */
  trim: boolean;
  email?: boolean;
  /** A string that can never be valid gets the generic bad-token 404 rather than a 400 (the README's HTTP contract). */
  malformedIsNotFound?: boolean;
  /** May be left out (absent, null or blank: an HTML form sends an empty input); when given, the rules apply. */
  optional?: boolean;
}

const MAX_REPORTED_FIELDS = 10;
const TOKEN_RULE: FieldRule = { maxLength: MAX_TOKEN_LENGTH, trim: true, malformedIsNotFound: true };
const PASSWORD_RULE: FieldRule = { maxLength: MAX_PASSWORD_LENGTH, trim: false };
/** Second-factor proofs are trimmed: codes are copied and pasted too. */
const PROOF_RULE: FieldRule = { maxLength: MAX_PROOF_LENGTH, trim: true, optional: true };

/** The given fields, trimmed where the rule says; an optional field left out is missing from the result. */
function readBody<Field extends string>(
  body: unknown,
  rules: Record<Field, FieldRule>,
  messages: ResolvedPasswordResetMessages,
): Record<Field, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PasswordResetBadRequestException([messages.invalidBody()]);
  }
  const reasons: string[] = [];
  // A few are named: a form parser without a parameter limit (Fastify's) hands over as many keys as fit the body.
  const unexpected = Object.keys(body).filter((key) => !Object.hasOwn(rules, key));
  for (const key of unexpected.slice(0, MAX_REPORTED_FIELDS)) reasons.push(messages.unexpectedField(key.slice(0, 64)));
  const values = {} as Record<Field, string>;
  let malformedToken = false;
  for (const [field, rule] of Object.entries(rules) as [Field, FieldRule][]) {
    const raw: unknown = Object.hasOwn(body, field) ? (body as Record<string, unknown>)[field] : undefined;
    if (rule.optional && (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')))
      continue;
    const reason = checkField(field, raw, rule, messages);
    if (reason && rule.malformedIsNotFound && typeof raw === 'string' && raw.trim() !== '') malformedToken = true;
    else if (reason) reasons.push(reason);
    else values[field] = rule.trim ? (raw as string).trim() : (raw as string);
  }
  if (reasons.length) throw new PasswordResetBadRequestException(reasons);
  // Answered like an unknown token, so no reply tells a malformed token from a missing or expired one.
  if (malformedToken) throw new InvalidResetTokenException(messages.invalidToken());
  return values;
}

function checkField(
  field: string,
  raw: unknown,
  rule: FieldRule,
  messages: ResolvedPasswordResetMessages,
): string | undefined {
  if (raw === undefined || raw === null) return messages.emptyField(field);
  if (typeof raw !== 'string') return messages.notAString(field);
  const value = rule.trim ? raw.trim() : raw;
  if (value === '') return messages.emptyField(field);
  if (value.length > rule.maxLength) return messages.fieldTooLong(field, rule.maxLength);
  if (!isCleanText(value)) return messages.invalidText(field);
  if (rule.email && !isEmail(value)) return messages.invalidEmail(field);
  return undefined;
}

function lookupRule(lookupField: string): FieldRule {
  return { maxLength: MAX_LOOKUP_VALUE_LENGTH, trim: true, email: lookupField === 'email' };
}

/**
 * Lone surrogates (JSON escapes) and NUL are refused. So is U+FFFD: the body parser puts it in place of bytes
 * that are not UTF-8, and taking it as typed would set a password other than the one sent, with every
 * undecodable byte colliding into the same character.
 */
function isCleanText(value: string): boolean {
  return value.isWellFormed() && !value.includes('\0') && !value.includes('\uFFFD');
}

/** `{ [lookupField]: value }` → the value. */
export function parseRequestTokenBody(
  body: unknown,
  messages: ResolvedPasswordResetMessages,
  lookupField: string,
): string {
  return readBody(body, { [lookupField]: lookupRule(lookupField) }, messages)[lookupField];
}

/** `{ token }`, plus `{ [accountField] }` when tokens are bound to the account. */
export function parseValidateTokenBody(
  body: unknown,
  messages: ResolvedPasswordResetMessages,
  accountField?: string,
): { token: string; account?: string } {
  const values: Record<string, string> = readBody(body, { token: TOKEN_RULE, ...accountRule(accountField) }, messages);
  return { token: values.token, account: accountField && values[accountField] };
}

/**
 * `{ token, password }`, plus `{ [accountField] }` when tokens are bound to the account, plus any of the
 * second factor's optional `proofFields`; `proof` holds those that were given.
 */
export function parseConfirmResetBody(
  body: unknown,
  messages: ResolvedPasswordResetMessages,
  accountField?: string,
  proofFields: readonly string[] = [],
): { token: string; password: string; account?: string; proof: Record<string, string> } {
  const proofRules = Object.fromEntries(proofFields.map((field) => [field, PROOF_RULE]));
  const values: Record<string, string> = readBody(
    body,
    { token: TOKEN_RULE, password: PASSWORD_RULE, ...accountRule(accountField), ...proofRules },
    messages,
  );
  const proof = Object.fromEntries(
    proofFields.filter((field) => Object.hasOwn(values, field)).map((field) => [field, values[field]]),
  );
  return { token: values.token, password: values.password, account: accountField && values[accountField], proof };
}

function accountRule(accountField: string | undefined): Record<string, FieldRule> {
  return accountField ? { [accountField]: lookupRule(accountField) } : {};
}
