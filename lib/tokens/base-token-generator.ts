/**
 * DI token and contract for reset-token generators. A custom generator is any `@Injectable()` class
 * extending this one; it may inject other providers.
 */
export abstract class BaseTokenGenerator {
  /**
   * Entropy of the weakest token this generator can produce, in bits. The module warns at start-up when
   * it is small enough to be guessed online, so a weak generator never slips in unnoticed.
   */
  abstract readonly entropyBits: number;

  abstract generateToken(): string | Promise<string>;
}
