import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import request from 'supertest';
import { Column, DataSource, Entity, PrimaryGeneratedColumn, Repository } from 'typeorm';
import { PasswordResetUserId, PasswordResetUserStore } from '../../lib/index.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { Member, MEMBER_FIELDS } from '../fixtures/mapped-user.entity.js';
import { QueryRecorder } from '../fixtures/query-recorder.js';
import {
  closingTestApps,
  INVALID_TOKEN_BODY,
  issueToken,
  NEW_PASSWORD,
  requestTokens,
  ROUTES,
} from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TEST_BCRYPT_COST, TestApp, tokenRows } from '../fixtures/test-app.js';
import { DB_ENGINE } from '../fixtures/test-database.js';
import { User } from '../fixtures/user.entity.js';
import { UuidUser } from '../fixtures/uuid-user.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A store written from scratch: users of a blocked domain may not reset, and every password write is
 * audited. Proves the module goes through the store for lookup, eligibility and writes.
 */
@Injectable()
class AuditedUserStore extends PasswordResetUserStore<User> {
  readonly writes: number[] = [];
  private readonly users: Repository<User>;

  constructor(dataSource: DataSource) {
    super();
    this.users = dataSource.getRepository(User);
  }

  async findByLookup(field: string, value: string): Promise<User[]> {
    const all = await this.users.find({ order: { id: 'ASC' } });
    return all.filter((user) => this.getAttribute(user, field)?.toLowerCase() === value.toLowerCase());
  }

  findById(id: PasswordResetUserId): Promise<User | null> {
    return this.users.findOneBy({ id: Number(id) });
  }

  getId(user: User): PasswordResetUserId {
    return user.id;
  }

  getAttribute(user: User, field: string): string | null {
    const value = (user as unknown as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : null;
  }

  isActive(user: User): boolean {
    return user.isActive && !user.email.endsWith('@blocked.example');
  }

  getPasswordHash(user: User): string | null {
    return user.password;
  }

  async setPasswordHash(user: User, passwordHash: string): Promise<void> {
    await this.users.update({ id: user.id }, { password: passwordHash });
    user.password = passwordHash;
    this.writes.push(user.id);
  }
}

/** Accounts whose email column compares case and all (MariaDB): the lookup cannot lean on its collation. */
@Entity('case_binary_users')
class CaseBinaryUser {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 254, collation: 'utf8mb4_bin', unique: true })
  email: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  password: string | null;
}

const onMariaDb = DB_ENGINE === 'mariadb' ? it : it.skip;

describe('user stores and entities', () => {
  let t: TestApp;
  const startApp = closingTestApps();

  it('runs the whole flow for a UUID-keyed user entity', async () => {
    t = await startApp({ entities: [UuidUser], options: { userDetailsOnValidation: true } });
    const user = await createUser(t.dataSource, { email: 'uuid@example.com' }, UuidUser);
    expect(user.id).toMatch(UUID);

    const token = await issueToken(t, { email: 'uuid@example.com' });
    const [row] = await tokenRows(t);
    expect(row.userId).toBe(user.id);
    expect(t.events.created[0].resetToken.userId).toBe(user.id);
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token })
      .expect(200, { status: 'OK', username: null, email: 'uuid@example.com' });
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD, UuidUser)).toBe(true);
    expect(await tokenRows(t)).toHaveLength(0);
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token, password: NEW_PASSWORD })
      .expect(404, INVALID_TOKEN_BODY);
  });

  it('reads and writes an entity with other column names through user.fields', async () => {
    t = await startApp({
      entities: [Member],
      extras: { user: { entity: Member, fields: MEMBER_FIELDS } },
      options: { userDetailsOnValidation: true },
    });
    const members = t.dataSource.getRepository(Member);
    const hash = await bcrypt.hash('correct horse battery', TEST_BCRYPT_COST);
    const member = await members.save({
      mail: 'Member@Example.org',
      login: 'quokka42',
      passwordHash: hash,
      enabled: true,
    });
    await members.save({ mail: 'off@example.org', login: 'off', passwordHash: hash, enabled: false });

    expect(await requestTokens(t, { email: 'off@example.org' })).toHaveLength(0);
    const token = await issueToken(t, { email: 'member@example.org' });
    expect(t.events.created[0].user).toMatchObject({ id: member.id, mail: 'Member@Example.org' });
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token })
      .expect(200, { status: 'OK', username: 'quokka42', email: 'Member@Example.org' });
    // The similarity validator sees the mapped username.
    const similar = await request(t.server).post(ROUTES.confirm).send({ token, password: 'Quokka42!' }).expect(400);
    expect(similar.body.message).toEqual([expect.stringMatching(/too similar to the username/)]);
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    const stored = await members.findOneByOrFail({ id: member.id });
    expect(await bcrypt.compare(NEW_PASSWORD, stored.passwordHash!)).toBe(true);
  });

  it('looks accounts up by username with lookupField: "username"', async () => {
    t = await startApp({ options: { lookupField: 'username' } });
    const user = await createUser(t.dataSource, { username: 'JaneD' });
    const bad = await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(400);
    expect(bad.body.message).toEqual(
      expect.arrayContaining(['property email should not exist', 'username should not be empty']),
    );
    await t.settle();
    expect(t.events.created).toHaveLength(0);

    const token = await issueToken(t, { username: 'janed' });
    expect(t.events.created[0].user).toMatchObject({ id: user.id, username: 'JaneD' });
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  it('uses a custom PasswordResetUserStore for lookup, eligibility and the password write', async () => {
    t = await startApp({
      extras: { extraProviders: [{ provide: PasswordResetUserStore, useClass: AuditedUserStore }] },
    });
    const store = t.app.get(PasswordResetUserStore) as AuditedUserStore;
    expect(store).toBeInstanceOf(AuditedUserStore);
    const user = await createUser(t.dataSource);
    await createUser(t.dataSource, { email: 'mallory@blocked.example', username: 'mallory' });

    expect(await requestTokens(t, { email: 'mallory@blocked.example' })).toHaveLength(0);
    const token = await issueToken(t);
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    expect(store.writes).toEqual([user.id]);
    expect(await passwordWorks(t.dataSource, user.id, NEW_PASSWORD)).toBe(true);
  });

  // MariaDB has no expression indexes: under the column's case-insensitive collation the store compares the
  // column itself, which its index serves. (SQLite and PostgreSQL: the sample's LOWER() indexes, sample-flow.)
  onMariaDb('looks accounts up through the email column index on MariaDB, with a plain comparison', async () => {
    const recorder = new QueryRecorder();
    t = await startApp({ typeorm: { logger: recorder, logging: true } });
    await t.dataSource.query('ALTER TABLE users ADD UNIQUE INDEX users_email_unique (email)');
    const user = await createUser(t.dataSource, { email: 'Jane@Example.com' });
    for (let i = 0; i < 50; i++) await createUser(t.dataSource, { email: `other${i}@example.com`, username: `o${i}` });

    expect((await requestTokens(t, { email: 'jane@EXAMPLE.com' }))[0].user).toMatchObject({ id: user.id });
    const lookup = recorder.queries.filter(({ query }) => /^SELECT .* FROM `users` .*WHERE/.test(query)).at(-1)!;
    expect(lookup.parameters).toEqual(['jane@EXAMPLE.com']);
    const plan: { key: string | null; type: string }[] = await t.dataSource.query(
      `EXPLAIN ${lookup.query}`,
      lookup.parameters,
    );
    expect(plan).toEqual([expect.objectContaining({ key: 'users_email_unique' })]);
  });

  onMariaDb('still ignores case on a case-binary column, and warns at start that the lookup scans', async () => {
    const logs = new LogRecorder();
    t = await startApp({ entities: [CaseBinaryUser], extras: { user: { entity: CaseBinaryUser } }, logger: logs });
    expect(logs.lines('warn')).toEqual([
      expect.stringContaining('case_binary_users.email has collation utf8mb4_bin: each account lookup'),
    ]);
    const user = await createUser(t.dataSource, { email: 'Member@Example.com' }, CaseBinaryUser);
    expect((await requestTokens(t, { email: 'member@example.com' }))[0].user).toMatchObject({ id: user.id });
  });
});
