import { MigrationInterface, QueryRunner, Table, TableForeignKey } from 'typeorm';
import { ResetToken } from '../entities/reset-token.entity.js';
import { PasswordResetConfigurationError } from '../exceptions/password-reset-configuration.error.js';

/**
 * Creates `password_reset_tokens` with its unique digest, unique `userId`, createdAt/expiresAt indexes and
 * ON DELETE CASCADE foreign key. The table is built from the `ResetToken` metadata of the data source that
 * runs the migration, so it follows the app's user table, its key type (integer or UUID), its naming
 * strategy and its engine, and TypeORM finds nothing left to synchronize afterwards.
 *
 * TypeORM orders migrations by the timestamp ending the class name. When the app's user table is created by
 * a later migration, subclass this one with a later timestamp: `class PasswordReset1801000000000 extends
 * CreatePasswordResetTokens1795737600000 {}`.
 */
export class CreatePasswordResetTokens1795737600000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const { driver } = queryRunner.connection;
    const metadata = resetTokenMetadata(queryRunner);
    const table = Table.create(metadata, driver);
    table.foreignKeys = metadata.foreignKeys.map((foreignKey) => TableForeignKey.create(foreignKey, driver));
    await queryRunner.createTable(table, false, true, true);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(resetTokenMetadata(queryRunner).tablePath, false, true, true);
  }
}

/** The migrations to add to a data source's `migrations`, in order. */
export const PASSWORD_RESET_MIGRATIONS = [CreatePasswordResetTokens1795737600000];

function resetTokenMetadata(queryRunner: QueryRunner) {
  const { connection } = queryRunner;
  if (!connection.hasMetadata(ResetToken)) {
    throw new PasswordResetConfigurationError(
      'The data source running the password-reset migrations must list ResetToken and the user entity ' +
        '(PasswordResetModule adds them with autoLoadEntities; elsewhere use passwordResetEntities(User))',
    );
  }
  return connection.getMetadata(ResetToken);
}
