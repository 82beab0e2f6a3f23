import bcrypt from 'bcrypt';
import { readFileSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { ConfigError } from './config.js';
import { totpSecretProblem } from './totp-second-factor.verifier.js';
import { User } from './user.entity.js';

export interface SeedAccount {
  email: string;
  username: string;
  /** Plaintext here, hashed before it is stored; null: an account that cannot log in yet. */
  password: string | null;
  isActive: boolean;
  /** Base32 TOTP secret: confirm then needs the account's current code in `otp`. */
  totpSecret?: string;
}

const BCRYPT_COST = 12;
const KEYS = ['email', 'username', 'password', 'isActive', 'totpSecret'];

/** Reads and checks the whole file before anything starts, naming the first bad entry. */
export function readSeedFile(path: string): SeedAccount[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `SEED_FILE ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`SEED_FILE ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(entries)) throw new ConfigError(`SEED_FILE ${path} must hold a JSON array of accounts`);
  return entries.map((entry, index) => {
    const problem = checkSeedEntry(entry);
    if (problem) throw new ConfigError(`SEED_FILE ${path}: entry ${index + 1}: ${problem}`);
    return entry as SeedAccount;
  });
}

function checkSeedEntry(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return 'must be an object {email, username, password, isActive}';
  }
  const unknown = Object.keys(entry).find((key) => !KEYS.includes(key));
  if (unknown) return `unknown key "${unknown}"`;
  const { email, username, password, isActive, totpSecret } = entry as Record<string, unknown>;
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) return '"email" must be an email address';
  if (typeof username !== 'string' || !username.trim()) return '"username" must be a non-empty string';
  if (password !== null && (typeof password !== 'string' || !password)) {
    return '"password" must be a non-empty string or null';
  }
  if (typeof isActive !== 'boolean') return '"isActive" must be true or false';
  if (totpSecret !== undefined) {
    const problem = typeof totpSecret === 'string' ? totpSecretProblem(totpSecret) : 'not a string';
    if (problem) return `"totpSecret" must be a base32 secret of at least 16 bytes (${problem})`;
  }
  return undefined;
}

/**
 * Creates the accounts that do not exist yet. Existing ones (same email or username) keep their
 * password, so restarts and several instances on one database never undo a reset.
 */
export async function seedAccounts(dataSource: DataSource, accounts: SeedAccount[]): Promise<void> {
  const users = dataSource.getRepository(User);
  for (const account of accounts) {
    if (await users.exists({ where: [{ email: account.email }, { username: account.username }] })) continue;
    const password = account.password === null ? null : await bcrypt.hash(account.password, BCRYPT_COST);
    // Another instance may have inserted it meanwhile: the unique columns make this a no-op then.
    await users
      .createQueryBuilder()
      .insert()
      .values({ ...account, password })
      .orIgnore()
      .execute();
  }
}
