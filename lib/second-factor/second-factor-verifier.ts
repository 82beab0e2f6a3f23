import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';

/** The proof a confirm carried: each of the verifier's `proofFields` that was sent, as a non-blank string. */
export type SecondFactorProof = Readonly<Record<string, string>>;

/**
 * DI token and contract for a second factor on confirm (TOTP, WebAuthn, recovery codes). The module has no
 * default: without one provided in `extraProviders`, confirm asks for nothing more than the token and the
 * password. With one, an enrolled user's confirm must carry a proof that `verify` accepts, checked after the
 * token and before the password rules; every proof counts against the token's `maxFailedAttempts` first.
 */
export abstract class SecondFactorVerifier<User extends object = object> {
  /**
   * The confirm body fields that carry a proof, e.g. `['otp']` or `['otp', 'recoveryCode']`: each one is
   * optional, and any other field is still refused. Names of letters, digits and `_`, other than `token`,
   * `password` and the lookup field.
   */
  abstract readonly proofFields: readonly string[];

  /** Whether the user must prove a second factor to reset the password. */
  abstract isEnrolled(user: User): boolean | Promise<boolean>;

  /**
   * Whether `proof` proves the user's second factor. Called only for an enrolled user, with at least one proof
   * field, and only once the token's attempt count admitted the proof. Compare in constant time, and spend
   * what must not be used twice (a recovery code) here.
   */
  abstract verify(user: User, proof: SecondFactorProof): boolean | Promise<boolean>;
}

const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The verifier's proof fields, checked at start-up: a clear error naming what is wrong. */
export function checkProofFields(fields: unknown, reserved: readonly string[]): readonly string[] {
  const where = 'SecondFactorVerifier.proofFields';
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new PasswordResetConfigurationError(`${where} must be a non-empty list of body field names`);
  }
  for (const field of fields) {
    if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
      throw new PasswordResetConfigurationError(
        `${where} must hold names of letters, digits and "_" (got ${JSON.stringify(field)})`,
      );
    }
    if (reserved.includes(field)) {
      throw new PasswordResetConfigurationError(`${where} must not name "${field}": the confirm body uses it already`);
    }
  }
  if (new Set(fields).size !== fields.length) {
    throw new PasswordResetConfigurationError(`${where} lists a field twice`);
  }
  return [...(fields as string[])];
}
