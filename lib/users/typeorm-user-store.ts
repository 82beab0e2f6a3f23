import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull, ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';
import type { ObjectType } from 'typeorm';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';
import { PASSWORD_RESET_OPTIONS, PASSWORD_RESET_USER_CONFIG } from '../password-reset.constants.js';
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

/**
 * A query whose rows are given instead of read: TypeORM hydrates them exactly as rows it read (`loadRawResults`
 * is the one step of `getMany` that sends SQL).
 */
class GivenRowsQueryBuilder<Entity extends ObjectLiteral> extends SelectQueryBuilder<Entity> {
  constructor(
    query: SelectQueryBuilder<Entity>,
    private readonly rows: ObjectLiteral[],
  ) {
    super(query);
  }

  protected override async loadRawResults(): Promise<ObjectLiteral[]> {
    return this.rows;
  }
}

/** The default store: the app's TypeORM user entity, read and written through a field map. */
@Injectable()
export class TypeOrmUserStore extends PasswordResetUserStore<ObjectLiteral> {
  protected readonly repository: Repository<ObjectLiteral>;
  protected readonly primaryKey: string;
  /** Logical field → entity property; null where the entity has no such property. */
  protected readonly fields: Record<string, string | null>;
  /** The raw row of the last account a lookup found (as the table holds it), hydrated again on a miss. */
  private lastFound?: ObjectLiteral[];

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
  }

  /**
   * A lookup that finds no account has TypeORM hydrate the last account found once more, and throws it away
   * (with listeners off: no app code sees it), so that an unknown account costs what a known one costs: with
   * account-bound codes, hydrating the account was a timing difference between the two.
   */
  async findByLookup(field: string, value: string): Promise<ObjectLiteral[]> {
    const query = this.repository
      .createQueryBuilder('user')
      .where(`LOWER(user.${this.property(field)}) = LOWER(:value)`, { value })
      .orderBy(`user.${this.primaryKey}`);
    const { raw, entities } = await query.getRawAndEntities();
    if (raw.length) this.lastFound = raw.slice(0, 1);
    else if (this.lastFound) await new GivenRowsQueryBuilder(query, this.lastFound).callListeners(false).getMany();
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

  /** Logical field → entity property; names outside the map (a custom lookup field) are properties already. */
  protected property(field: string): string | null {
    return field in this.fields ? this.fields[field] : field;
  }
}
