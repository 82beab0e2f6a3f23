import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ObjectLiteral, ObjectType } from 'typeorm';
import { PASSWORD_RESET_MIGRATIONS, ResetToken } from '../../lib/typeorm.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { redisSkipNote, TOKEN_STORE } from '../fixtures/token-store.js';
import { CreateTestUsers1700000000000 } from '../fixtures/test-users.migration.js';
import { User } from '../fixtures/user.entity.js';
import { UuidUser } from '../fixtures/uuid-user.entity.js';

const TABLE = 'password_reset_tokens';
const NEW_PASSWORD = 'Tr1cky-new-passphrase';

(TOKEN_STORE === 'redis' ? describe.skip : describe).each<[string, ObjectType<ObjectLiteral>]>([
  ['integer', User],
  ['UUID', UuidUser],
])(`shipped migrations, %s user keys${redisSkipNote('the migrations create the SQL token table')}`, (_, entity) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const migratedApp = () =>
    createTestApp({
      entities: [entity],
      typeorm: {
        synchronize: false,
        migrationsRun: true,
        migrations: [CreateTestUsers1700000000000, ...PASSWORD_RESET_MIGRATIONS],
      },
    });

  it('creates the table exactly as the entity describes: TypeORM finds nothing to synchronize', async () => {
    t = await migratedApp();
    const queryRunner = t.dataSource.createQueryRunner();
    expect(await queryRunner.hasTable(TABLE)).toBe(true);
    expect(await t.dataSource.showMigrations()).toBe(false);
    const { upQueries } = await t.dataSource.driver.createSchemaBuilder().log();
    expect(upQueries.map((query) => query.query)).toEqual([]);

    // The comparison notices a missing index, so an empty list above means the schema really matches.
    const expiryIndex = t.dataSource
      .getMetadata(ResetToken)
      .indices.find((index) => index.columns[0].propertyName === 'expiresAt');
    await queryRunner.dropIndex(TABLE, expiryIndex!.name);
    expect((await t.dataSource.driver.createSchemaBuilder().log()).upQueries).not.toEqual([]);
    await queryRunner.release();
  });

  it('runs the whole flow on the migrated schema', async () => {
    t = await migratedApp();
    const user = await createUser(t.dataSource, { email: 'jane@example.com' }, entity);
    await request(t.server).post('/password_reset/').send({ email: 'jane@example.com' }).expect(200);
    await t.settle();
    const { token } = t.events.created[0];
    await request(t.server).post('/password_reset/validate_token/').send({ token }).expect(200);
    await request(t.server).post('/password_reset/confirm/').send({ token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD, entity)).toBe(true);
    expect(await tokenRows(t)).toHaveLength(0);
  });

  it('deletes the tokens of a deleted user (ON DELETE CASCADE)', async () => {
    t = await migratedApp();
    const jane = await createUser(t.dataSource, { email: 'jane@example.com' }, entity);
    const john = await createUser(t.dataSource, { email: 'john@example.com', username: 'john' }, entity);
    await t.service.issueTokenFor(jane);
    await t.service.issueTokenFor(john);
    await t.dataSource.getRepository(entity).delete({ id: jane.id });
    expect((await tokenRows(t)).map((row) => String(row.userId))).toEqual([String(john.id)]);
  });

  it('reverts cleanly and applies again', async () => {
    t = await migratedApp();
    await t.dataSource.undoLastMigration();
    const queryRunner = t.dataSource.createQueryRunner();
    expect(await queryRunner.hasTable(TABLE)).toBe(false);
    expect(await queryRunner.hasTable(t.dataSource.getMetadata(entity).tableName)).toBe(true);
    expect(await t.dataSource.showMigrations()).toBe(true);

    await t.dataSource.runMigrations();
    expect(await queryRunner.hasTable(TABLE)).toBe(true);
    expect((await t.dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
    await queryRunner.release();
  });
});
