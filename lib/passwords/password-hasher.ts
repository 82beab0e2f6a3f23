/** DI token and contract for hashing new passwords. Replace it to match how your app verifies logins. */
export abstract class PasswordHasher {
  /** Longest password, in UTF-8 bytes, the algorithm uses in full; longer ones are refused rather than truncated. `undefined` = no limit. */
  readonly maxPasswordBytes?: number;
  abstract hash(password: string): Promise<string>;
  abstract verify(password: string, hash: string): Promise<boolean>;
}
