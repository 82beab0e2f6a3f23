import { DataSource } from 'typeorm';

/**
 * On SQLite and PostgreSQL the package finds accounts with `LOWER(field) = LOWER(:value)`, which the plain unique
 * indexes cannot serve: an index on the expression turns that full scan into a lookup. MariaDB has no expression
 * indexes and needs none: under the columns' case-insensitive collation (the database default) the package
 * compares `field = :value`, which their unique indexes serve.
 * The names are declared on the entity with `synchronize: false`, so TypeORM's synchronize keeps them.
 */
export const LOOKUP_INDEXES = { email: 'users_email_lower', username: 'users_username_lower' } as const;

export async function createLookupIndexes(dataSource: DataSource): Promise<void> {
  const { type } = dataSource.options;
  if (type !== 'better-sqlite3' && type !== 'postgres') return;
  const escape = (name: string) => dataSource.driver.escape(name);
  for (const [column, index] of Object.entries(LOOKUP_INDEXES)) {
    const create = `CREATE INDEX IF NOT EXISTS ${escape(index)} ON ${escape('users')} (LOWER(${escape(column)}))`;
    // Two instances starting together on PostgreSQL can both pass IF NOT EXISTS; the loser's retry is a no-op.
    await dataSource.query(create).catch(() => dataSource.query(create));
  }
}
