import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';

/**
 * Checks a generator's `[min, max]` option pair: both integers within `[lowest, highest]`, min ≤ max.
 * The errors name the generator and the option, so a bad configuration fails the boot with a clear line.
 */
export function checkGeneratorRange(
  generator: string,
  [minName, min]: [string, number],
  [maxName, max]: [string, number],
  [lowest, highest]: [number, number],
): void {
  for (const [name, value] of [
    [minName, min],
    [maxName, max],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < lowest || value > highest) {
      throw new PasswordResetConfigurationError(
        `${generator}: ${name} must be an integer from ${lowest} to ${highest}, got ${String(value)}`,
      );
    }
  }
  if (min > max) {
    throw new PasswordResetConfigurationError(`${generator}: ${minName} (${min}) must not exceed ${maxName} (${max})`);
  }
}
