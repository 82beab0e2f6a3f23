import { In, LessThanOrEqual, QueryFailedError, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm';
import { ResetToken } from '../entities/reset-token.entity.js';
import type { PasswordResetUserId } from '../users/password-reset-user-store.js';
import { NewResetTokenRecord, ResetTokenRecord, ResetTokenStore, ResetTokenWrite } from './reset-token.store.js';
import { createTokenStatements, TokenStatements } from './typeorm-token-statements.js';

/**
 * A request that loses the insert race on the unique userId replaces the winner's row next round; it only
 * fails again if that row is deleted in between (a confirm or cleanup), so few rounds are needed.
 */
const ISSUE_ATTEMPTS = 3;

/**
 * Engines whose query runners each hold a connection of their own. TypeORM's SQLite drivers share one
 * connection, so a transaction there would take in every other request's statements.
 */
const TRANSACTIONAL_ENGINES = new Set(['postgres', 'mysql', 'mariadb']);

/** The default store: the `password_reset_tokens` table through TypeORM, on SQLite, PostgreSQL and MariaDB/MySQL. */
export class TypeOrmResetTokenStore extends ResetTokenStore {
  /** Built on first use; null where the engine has no UPDATE … RETURNING (MySQL, MariaDB). */
  private fixedStatements?: TokenStatements | null;
  private readonly userPrimaryKey: string;
  /** The SQL of `findOne` per column, built on first use. */
  private readonly findStatements: Partial<Record<'tokenDigest' | 'user', string>> = {};
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
    return !!(await this.tokens.delete(this.sameToken(token))).affected;
  }

  async restore(token: ResetTokenRecord): Promise<void> {
    const { userId, ...columns } = token;
    const row = { ...columns, id: Number(columns.id), user: this.userReference(userId) };
    const statements = this.statements();
    if (statements) return statements.restore(row);
    try {
      await this.tokens.insert(row);
    } catch (error) {
      // The user's unique row exists again: a newer token took the place.
      if (!isUniqueViolation(error)) throw error;
    }
  }

  async delete(token: ResetTokenRecord): Promise<void> {
    await this.tokens.delete(this.sameToken(token));
  }

  async deleteAllOf(userId: PasswordResetUserId): Promise<void> {
    await this.tokens.delete({ user: this.userReference(userId) });
  }

  /** The count is raised only below the cap, in one statement (or under a row lock): no guess gets past it. */
  async recordFailedAttempt(token: ResetTokenRecord | null, maxAttempts: number): Promise<number> {
    const statements = this.statements();
    // No token: a write as costly as a count, changing nothing (a count that matched no row would skip the write
    // and its commit, and be measurably faster). On MySQL and MariaDB (below) the stand-in still matches no row and
    // writes nothing; InnoDB, too, skips a row set to its own values.
    if (!token && statements) return statements.countNothing().then(() => 0);
    // Row ids start at 1 and digests are 64 hex digits: id 0 with an empty digest matches no row.
    const { id, tokenDigest } = token ? this.sameToken(token) : { id: 0, tokenDigest: '' };
    const counted = statements
      ? await statements.countAttempt(id, tokenDigest, maxAttempts)
      : await this.tokens.manager.transaction(async (manager) => {
          const tokens = manager.getRepository(ResetToken);
          // The conditional UPDATE locks the row: the count read next, in this transaction, is this attempt's.
          const { affected } = await tokens
            .createQueryBuilder()
            .update()
            .set({ failedAttempts: () => `${this.attemptsColumn()} + 1` })
            .where({ id, tokenDigest })
            .andWhere(`${this.attemptsColumn()} < :maxAttempts`, { maxAttempts })
            .execute();
          // Read whether or not a row was counted, so a token that does not exist costs the same statements; raw,
          // as an entity hydrated only when found would cost a token more than none.
          const row = await tokens
            .createQueryBuilder('token')
            .select('token.failedAttempts', 'failedAttempts')
            .where({ id, tokenDigest })
            .getRawOne<{ failedAttempts: number | string }>();
          return affected && row ? Number(row.failedAttempts) : 0;
        });
    if (counted >= maxAttempts) await this.tokens.delete({ id, tokenDigest });
    return counted;
  }

  async releaseAttempt(token: ResetTokenRecord): Promise<void> {
    await this.tokens
      .createQueryBuilder()
      .update()
      .set({ failedAttempts: () => `${this.attemptsColumn()} - 1` })
      .where(this.sameToken(token))
      .andWhere(`${this.attemptsColumn()} > 0`)
      .execute();
  }

  /** One short statement per batch, found through the expiry index. */
  async deleteExpired(limit: number): Promise<number> {
    const expired = await this.tokens.find({
      select: { id: true },
      where: { expiresAt: LessThanOrEqual(new Date()) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
    if (expired.length === 0) return 0;
    await this.tokens.delete({ id: In(expired.map((row) => row.id)) });
    // Another instance may have deleted part of this batch: a full batch still means "look again".
    return expired.length;
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
    return this.tokens.manager.transaction(async (manager) => {
      const tokens = manager.getRepository(ResetToken);
      if (!(await tokens.delete(this.sameToken(token))).affected) return false;
      if (!(await write(manager))) return false;
      await tokens.delete({ user: this.userReference(token.userId) });
      return true;
    });
  }

  /**
   * Replaces the user's row in place, or inserts it: each statement is atomic, so concurrent requests for one
   * account (on any number of instances) each succeed and the last one's token is live. Resolves to the row
   * id, or undefined if a later request already replaced this token.
   */
  protected async write(row: QueryDeepPartialEntity<ResetToken>): Promise<number | undefined> {
    const statements = this.statements();
    if (statements) return statements.upsert(row);
    // MySQL and MariaDB: an UPDATE, then an INSERT if the user had no token.
    const { user, ...columns } = row;
    for (let attempt = 1; ; attempt++) {
      const replaced = await this.tokens.update({ user: user as object }, columns);
      if (replaced.affected) {
        const found = await this.tokens.findOne({
          select: { id: true },
          where: { tokenDigest: row.tokenDigest as string },
        });
        return found?.id;
      }
      try {
        const { identifiers } = await this.tokens.insert(row);
        return identifiers[0].id as number;
      } catch (error) {
        // Another request inserted this user's token first: the next round replaces it.
        if (attempt >= ISSUE_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }

  /**
   * One fixed statement on a unique column, its row mapped by hand. Entity hydration, and building a query on
   * the user relation, made finding a user's token cost tens of microseconds more than finding none, or than
   * finding by digest: with account-bound codes, a timing difference between accounts with and without a code.
   */
  private async findOne(property: 'tokenDigest' | 'user', value: unknown): Promise<ResetTokenRecord | null> {
    const { driver } = this.tokens.manager.connection;
    const { metadata } = this.tokens;
    const columns = metadata.columns;
    const sql = (this.findStatements[property] ??= (() => {
      const where =
        metadata.findColumnWithPropertyName(property) ??
        metadata.findRelationWithPropertyPath(property)!.joinColumns[0];
      const table = metadata.tablePath
        .split('.')
        .map((part) => driver.escape(part))
        .join('.');
      const token = driver.escape('token');
      const one = driver.escape('one');
      const list = columns.map((column) => `${token}.${driver.escape(column.databaseName)}`).join(', ');
      // Joined to a one-row table, so a miss comes back as a row of nulls: the engine returns a row either way.
      return (
        `SELECT ${list} FROM (SELECT 1 AS ${one}) ${one} LEFT JOIN ${table} ${token} ` +
        `ON ${token}.${driver.escape(where.databaseName)} = ${driver.createParameter('p0', 0)}`
      );
    })());
    const [returned] = await this.tokens.query<Record<string, unknown>[]>(sql, [value]);
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

  /** The attempt count's column, quoted for raw SQL. */
  private attemptsColumn(): string {
    const column = this.tokens.metadata.findColumnWithPropertyName('failedAttempts')!;
    return this.tokens.manager.connection.driver.escape(column.databaseName);
  }

  private statements(): TokenStatements | null {
    return (this.fixedStatements ??= createTokenStatements(this.tokens));
  }

  /** The row, only while it still holds this token: a newer request replaces the digest in place. */
  private sameToken(token: ResetTokenRecord): { id: number; tokenDigest: string } {
    return { id: Number(token.id), tokenDigest: token.tokenDigest };
  }

  private userReference(userId: PasswordResetUserId): Record<string, unknown> {
    return { [this.userPrimaryKey]: userId };
  }
}

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const { code, errno } = error.driverError as { code?: string; errno?: number };
  return code === '23505' || code === 'ER_DUP_ENTRY' || errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
