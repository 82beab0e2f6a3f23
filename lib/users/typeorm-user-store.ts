import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import type { ObjectType, QueryRunner } from 'typeorm';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';
import {
  PASSWORD_RESET_LOGGER_CONTEXT,
  PASSWORD_RESET_OPTIONS,
  PASSWORD_RESET_USER_CONFIG,
} from '../password-reset.constants.js';
import type {
  PasswordResetUserConfig,
  PasswordResetUserFields,
  ResolvedPasswordResetOptions,
} from '../password-reset.options.js';
import { PasswordResetUserId, PasswordResetUserStore } from './password-reset-user-store.js';
import { redactSecretInError } from '../utils/redact.util.js';

const DEFAULT_FIELDS: Required<PasswordResetUserFields> = {
  email: 'email',
  username: 'username',
  password: 'password',
  isActive: 'isActive',
};

/** Engines whose case-insensitive collations compare as LOWER() = LOWER() does, and have no expression indexes. */
const MYSQL_FAMILY = ['mysql', 'mariadb', 'aurora-mysql'];

/**
 * A query whose rows come from `load` instead of from the SQL the builder would generate: TypeORM hydrates them
 * exactly as rows it read (`loadRawResults` is the one step of `getMany` that builds and sends SQL). Built per
 * call from a query prepared once: the constructor copies its expression map, which hydration writes to.
 */
class LoadedRowsQueryBuilder<Entity extends ObjectLiteral> extends SelectQueryBuilder<Entity> {
  constructor(
    query: SelectQueryBuilder<Entity>,
    private readonly load: (queryRunner: QueryRunner) => Promise<ObjectLiteral[]>,
  ) {
    super(query);
  }

  protected override loadRawResults(queryRunner: QueryRunner): Promise<ObjectLiteral[]> {
    return this.load(queryRunner);
  }
}

/** One lookup field's query, built once: the builder that hydrates its rows and its SQL, with one parameter. */
interface LookupQuery {
  query: SelectQueryBuilder<ObjectLiteral>;
  sql: string;
}

/** The default store: the app's TypeORM user entity, read and written through a field map. */
@Injectable()
export class TypeOrmUserStore extends PasswordResetUserStore<ObjectLiteral> implements OnApplicationBootstrap {
  protected readonly logger = new Logger(PASSWORD_RESET_LOGGER_CONTEXT);
  protected readonly repository: Repository<ObjectLiteral>;
  protected readonly primaryKey: string;
  /** Logical field → entity property; null where the entity has no such property. */
  protected readonly fields: Record<string, string | null>;
  /** The raw row of the last account a lookup found (as the table holds it), hydrated again on a miss. */
  private lastFound?: ObjectLiteral[];
  private readonly lookupField: string;
  private readonly engine: string;
  /** Lookup field → its query, built on first use (or at start, for the configured field). */
  private readonly lookupQueries = new Map<string, Promise<LookupQuery | undefined>>();

  constructor(
    dataSource: DataSource,
    @Inject(PASSWORD_RESET_USER_CONFIG) config: PasswordResetUserConfig,
    @Inject(PASSWORD_RESET_OPTIONS) options: ResolvedPasswordResetOptions,
  ) {
    super();
    this.repository = dataSource.getRepository(config.entity as ObjectType<ObjectLiteral>);
    const { metadata } = this.repository;
    const hasProperty = (name: string) => !!metadata.findColumnWithPropertyName(name);
    if (metadata.primaryColumns.length !== 1) {
      throw new PasswordResetConfigurationError('user.entity must have exactly one primary column');
    }
    this.primaryKey = metadata.primaryColumns[0].propertyName;

    this.fields = {};
    for (const [field, fallback] of Object.entries(DEFAULT_FIELDS)) {
      const configured = config.fields?.[field as keyof PasswordResetUserFields];
      const property = configured === undefined ? fallback : configured;
      // Defaults for optional fields quietly drop out when the entity lacks them; explicit names must exist.
      if (property !== null && !hasProperty(property)) {
        if (configured !== undefined || field === 'password' || field === 'email') {
          throw new PasswordResetConfigurationError(
            `user.fields.${field}: ${metadata.name} has no column property "${property}"`,
          );
        }
        this.fields[field] = null;
      } else {
        this.fields[field] = property;
      }
    }
    if (this.fields.password === null) {
      throw new PasswordResetConfigurationError('user.fields.password must name the password hash column');
    }
    const lookupProperty = this.property(options.lookupField);
    if (!lookupProperty || !hasProperty(lookupProperty)) {
      throw new PasswordResetConfigurationError(
        `lookupField: ${metadata.name} has no column property "${options.lookupField}"`,
      );
    }
    this.lookupField = options.lookupField;
    this.engine = dataSource.options.type;
  }

  /** Builds the lookup at start, so that one that has to scan the table is reported before the first request. */
  async onApplicationBootstrap(): Promise<void> {
    // A table that is not there yet (migrations to come) or a database that is down: the first lookup builds it.
    await this.lookup(this.lookupField, false).catch(() => undefined);
  }

  /**
   * A lookup that finds no account has TypeORM hydrate the last account found once more, and throws it away
   * (with listeners off: no app code sees it), so that an unknown account costs what a known one costs: with
   * account-bound codes, hydrating the account was a timing difference between the two.
   */
  async findByLookup(field: string, value: string): Promise<ObjectLiteral[]> {
    // Undefined only when it waited on the build at start, and that found no column yet: built again, finally.
    const { query, sql } = ((await this.lookup(field)) ?? (await this.lookup(field)))!;
    let raw: ObjectLiteral[] = [];
    const entities = await new LoadedRowsQueryBuilder(query, async (queryRunner) => {
      raw = (await queryRunner.query(sql, [value], true)).records as ObjectLiteral[];
      return raw;
    }).getMany();
    if (raw.length) this.lastFound = raw.slice(0, 1);
    else if (this.lastFound) {
      const rows = this.lastFound;
      await new LoadedRowsQueryBuilder(query, async () => rows).callListeners(false).getMany();
    }
    return entities;
  }

  async findById(id: PasswordResetUserId): Promise<ObjectLiteral | null> {
    return this.repository.findOne({ where: { [this.primaryKey]: id } });
  }

  getId(user: ObjectLiteral): PasswordResetUserId {
    return user[this.primaryKey] as PasswordResetUserId;
  }

  getAttribute(user: ObjectLiteral, field: string): string | null {
    const property = this.property(field);
    const value: unknown = property ? user[property] : null;
    return typeof value === 'string' ? value : null;
  }

  isActive(user: ObjectLiteral): boolean {
    const property = this.fields.isActive;
    // Drivers return booleans as true, 1 or '1'; an entity without the column has only active users.
    return property === null || [true, 1, '1'].includes(user[property] as never);
  }

  getPasswordHash(user: ObjectLiteral): string | null {
    return this.getAttribute(user, 'password');
  }

  /** One conditional UPDATE: the row must still hold the password hash and email `user` was read with. */
  async setPasswordHash(user: ObjectLiteral, passwordHash: string, session?: unknown): Promise<boolean> {
    const property = this.fields.password as string;
    const repository =
      session instanceof EntityManager ? session.getRepository(this.repository.target) : this.repository;
    const unchanged: Record<string, unknown> = { [this.primaryKey]: this.getId(user) };
    for (const field of [property, this.fields.email]) if (field) unchanged[field] = user[field] ?? IsNull();
    let written: boolean;
    try {
      written = !!(await repository.update(unchanged, { [property]: passwordHash })).affected;
    } catch (error) {
      // A failed query carries its parameters (and, on MySQL, the interpolated SQL): the new hash and the
      // current one, which Nest's exception handler would otherwise print in full.
      throw redactSecretInError(redactSecretInError(error, passwordHash), this.getPasswordHash(user) ?? '');
    }
    if (written) user[property] = passwordHash;
    return written;
  }

  private lookup(field: string, final = true): Promise<LookupQuery | undefined> {
    let lookup = this.lookupQueries.get(field);
    if (!lookup) {
      lookup = this.buildLookup(field, final);
      this.lookupQueries.set(field, lookup);
      // Built again next time after an error, or when the column was not there to inspect yet.
      const forget = () => this.lookupQueries.delete(field);
      lookup.then((built) => built ?? forget(), forget);
    }
    return lookup;
  }

  /**
   * `LOWER(column) = LOWER(:value)`, which SQLite and PostgreSQL serve from an index on the expression. MySQL
   * and MariaDB have no expression indexes; under a case-insensitive collation (their default) the comparison
   * ignores case as it is, so `column = :value` matches the same rows and uses the column's own index.
   * Resolves undefined when the column is not in the database yet and `final` is false.
   */
  private async buildLookup(field: string, final: boolean): Promise<LookupQuery | undefined> {
    const column = this.repository.metadata.findColumnWithPropertyName(this.property(field)!)!;
    let condition = `LOWER(user.${column.propertyPath}) = LOWER(:value)`;
    if (MYSQL_FAMILY.includes(this.engine)) {
      const collation = await this.collationOf(column.databaseName);
      if (collation === undefined && !final) return undefined;
      if (collation && /_ci$/i.test(collation)) condition = `user.${column.propertyPath} = :value`;
      else {
        const found =
          collation === undefined
            ? 'is not in information_schema.COLUMNS'
            : `has ${collation ? `collation ${collation}` : 'no collation (binary)'}`;
        this.logger.warn(
          `${this.repository.metadata.tableName}.${column.databaseName} ${found}: each account lookup, ` +
            `LOWER(${column.databaseName}) = LOWER(?), scans the table. Give the column a case-insensitive ` +
            `collation (one ending in _ci, as the server defaults do, e.g. utf8mb4_unicode_ci) and a unique index.`,
        );
      }
    }
    const query = this.repository
      .createQueryBuilder('user')
      .where(condition, { value: '' })
      .orderBy(`user.${this.primaryKey}`);
    const [sql] = query.getQueryAndParameters();
    return { query, sql };
  }

  /** The column's collation; null for a column without one (binary), undefined for a column not found. */
  private async collationOf(columnName: string): Promise<string | null | undefined> {
    const { tableName, schema, database } = this.repository.metadata;
    const rows: { collation: string | null }[] = await this.repository.query(
      'SELECT COLLATION_NAME AS collation FROM information_schema.COLUMNS ' +
        'WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ?',
      [database ?? schema ?? null, tableName, columnName],
    );
    return rows.length ? rows[0].collation : undefined;
  }

  /** Logical field → entity property; names outside the map (a custom lookup field) are properties already. */
  protected property(field: string): string | null {
    return field in this.fields ? this.fields[field] : field;
  }
}
