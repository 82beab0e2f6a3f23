import { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { ResetToken } from '../entities/reset-token.entity.js';
import type { PasswordResetUserId } from '../users/password-reset-user-store.js';
import { NewResetTokenRecord, ResetTokenRecord, ResetTokenStore, ResetTokenWrite } from './reset-token.store.js';
import { createTokenStatements, TokenLookup, TokenStatements } from './typeorm-token-statements.js';

/**
 * Engines whose query runners each hold a connection of their own. TypeORM's SQLite drivers share one
 * connection, so a transaction there would take in every other request's statements.
 */
const TRANSACTIONAL_ENGINES = new Set(['postgres', 'mysql', 'mariadb']);

/** The default store: the `password_reset_tokens` table through TypeORM, on SQLite, PostgreSQL and MariaDB/MySQL. */
export class TypeOrmResetTokenStore extends ResetTokenStore {
  /** Built on first use. */
  private fixedStatements?: TokenStatements;
  private readonly userPrimaryKey: string;
  /** The last row `findOne` found (what the table holds: digests, never a token), mapped again on a miss. */
  private lastRow?: Record<string, unknown>;

  constructor(protected readonly tokens: Repository<ResetToken>) {
    super();
    const relation = tokens.metadata.findRelationWithPropertyPath('user')!;
    this.userPrimaryKey = relation.inverseEntityMetadata.primaryColumns[0].propertyName;
  }

  async save(token: NewResetTokenRecord): Promise<ResetTokenRecord> {
    const { userId, ...columns } = token;
    const id = await this.write({ ...columns, user: this.userReference(userId), failedAttempts: 0 });
    return { ...token, id: id!, failedAttempts: 0 };
  }

  async findByDigest(tokenDigest: string): Promise<ResetTokenRecord | null> {
    return this.findOne('tokenDigest', tokenDigest);
  }

  /** No user: a digest no token has (digests are 64 hex digits), the same kind of index lookup as a user's. */
  async findByUser(userId: PasswordResetUserId | null): Promise<ResetTokenRecord | null> {
    return userId === null ? this.findOne('tokenDigest', '') : this.findOne('user', userId);
  }

  async claim(token: ResetTokenRecord): Promise<boolean> {
    return this.statements().claim(Number(token.id), token.tokenDigest);
  }

  async restore(token: ResetTokenRecord): Promise<void> {
    const { userId, ...columns } = token;
    await this.statements().restore({ ...columns, id: Number(columns.id), user: this.userReference(userId) });
  }

  async delete(token: ResetTokenRecord): Promise<void> {
    await this.claim(token);
  }

  async deleteAllOf(userId: PasswordResetUserId): Promise<void> {
    await this.statements().deleteAllOf(userId);
  }

  /** The count is raised only below the cap, in one statement (or under a row lock): no guess gets past it. */
  async recordFailedAttempt(token: ResetTokenRecord | null, maxAttempts: number): Promise<number> {
    const statements = this.statements();
    // No token: a write as costly as a count, changing nothing (a count that matched no row would skip the write
    // and its commit, and be measurably faster).
    if (!token) return statements.countNothing(maxAttempts).then(() => 0);
    const counted = await statements.countAttempt(Number(token.id), token.tokenDigest, maxAttempts);
    if (counted >= maxAttempts) await this.delete(token);
    return counted;
  }

  async releaseAttempt(token: ResetTokenRecord): Promise<void> {
    await this.statements().releaseAttempt(Number(token.id), token.tokenDigest);
  }

  /** One short statement per batch, found through the expiry index. */
  async deleteExpired(limit: number): Promise<number> {
    // Another instance may have deleted part of this batch: a full batch still means "look again".
    return this.statements().deleteExpired(new Date(), limit);
  }

  /**
   * Claim, password write and the removal of the user's tokens in one transaction where the engine isolates
   * it: a failed write rolls the claim back, and concurrent claims wait for the outcome. On SQLite, the
   * claim is the commit point (see the base class).
   */
  override async redeem(token: ResetTokenRecord, write: ResetTokenWrite): Promise<boolean> {
    if (!TRANSACTIONAL_ENGINES.has(this.tokens.manager.connection.driver.options.type)) {
      return super.redeem(token, write);
    }
    const statements = this.statements();
    // Each statement on the transaction's query runner, as `write` is given its manager.
    return this.tokens.manager.transaction(async (manager) => {
      if (!(await statements.claim(Number(token.id), token.tokenDigest, manager))) return false;
      if (!(await write(manager))) return false;
      await statements.deleteAllOf(token.userId, manager);
      return true;
    });
  }

  /**
   * Replaces the user's row in place, or inserts it: each statement is atomic, so concurrent requests for one
   * account (on any number of instances) each succeed and the last one's token is live. Resolves to the row
   * id, or undefined if a later request already replaced this token.
   */
  protected async write(row: QueryDeepPartialEntity<ResetToken>): Promise<number | undefined> {
    return this.statements().upsert(row);
  }

  /**
   * One fixed statement on a unique column, its row mapped by hand. Entity hydration, and building a query on
   * the user relation, made finding a user's token cost tens of microseconds more than finding none, or than
   * finding by digest: with account-bound codes, a timing difference between accounts with and without a code.
   */
  private async findOne(property: TokenLookup, value: unknown): Promise<ResetTokenRecord | null> {
    const { driver } = this.tokens.manager.connection;
    const { metadata } = this.tokens;
    const columns = metadata.columns;
    const returned = await this.statements().find(property, value);
    const found = returned[metadata.primaryColumns[0].databaseName] != null;
    if (found) this.lastRow = returned;
    // A miss maps the last row found instead, and throws the result away: mapping costs what it costs for a hit.
    const row = found ? returned : this.lastRow;
    const record: Record<string, unknown> = {};
    for (const column of row ? columns : []) {
      const stored = row?.[column.databaseName];
      // The join column holds the user's id, typed as the user's primary key.
      if (column.relationMetadata) record.userId = driver.prepareHydratedValue(stored, column.referencedColumn!);
      else record[column.propertyName] = driver.prepareHydratedValue(stored, column);
    }
    return found ? (record as unknown as ResetTokenRecord) : null;
  }

  private statements(): TokenStatements {
    return (this.fixedStatements ??= createTokenStatements(this.tokens));
  }

  private userReference(userId: PasswordResetUserId): Record<string, unknown> {
    return { [this.userPrimaryKey]: userId };
  }
}
