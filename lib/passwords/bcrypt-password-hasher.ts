import bcrypt from 'bcrypt';
import { PasswordHasher } from './password-hasher.js';

/** bcrypt only reads the first 72 bytes of its input and silently ignores the rest. */
const BCRYPT_MAX_PASSWORD_BYTES = 72;
const MIN_COST = 4;
const MAX_COST = 31;

export interface BcryptPasswordHasherOptions {
  /** log2 of the number of rounds; each step doubles the work. Default 12. */
  cost?: number;
}

/**
 * Default `PasswordHasher`. Uses only bcrypt's async functions, which run on the libuv
 * thread pool: the Sync variants would stall every request for the whole hash.
 */
export class BcryptPasswordHasher extends PasswordHasher {
  override readonly maxPasswordBytes = BCRYPT_MAX_PASSWORD_BYTES;
  private readonly cost: number;

  constructor(options: BcryptPasswordHasherOptions = {}) {
    super();
    const cost = options.cost ?? 12;
    if (!Number.isInteger(cost) || cost < MIN_COST || cost > MAX_COST) {
      throw new Error(`bcryptCost must be an integer between ${MIN_COST} and ${MAX_COST}`);
    }
    this.cost = cost;
  }

  async hash(password: string): Promise<string> {
    // Callers should have refused the password already; never let bcrypt truncate it silently.
    if (this.isTooLong(password)) {
      throw new Error(`Password exceeds bcrypt's ${BCRYPT_MAX_PASSWORD_BYTES}-byte limit`);
    }
    return bcrypt.hash(password, this.cost);
  }

  /** Accepts a missing hash (e.g. a nullable column) and reports it as a mismatch. */
  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    // A longer password was never hashed by us, and bcrypt would match it on its 72-byte prefix.
    if (!hash || this.isTooLong(password)) return false;
    return bcrypt.compare(password, hash);
  }

  private isTooLong(password: string): boolean {
    return Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES;
  }
}
