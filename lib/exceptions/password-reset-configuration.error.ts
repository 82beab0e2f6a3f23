/** Thrown at start-up when the module is configured wrongly; the message names the option. */
export class PasswordResetConfigurationError extends Error {
  constructor(message: string) {
    super(`PasswordResetModule: ${message}`);
    this.name = 'PasswordResetConfigurationError';
  }
}
