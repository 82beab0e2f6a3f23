import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ResetToken } from '../../lib/typeorm.js';
import { QueryRecorder } from '../fixtures/query-recorder.js';
import { ROUTES } from '../fixtures/reset-requests.js';
import { createTestApp, createUser, TestApp } from '../fixtures/test-app.js';
import { DB_ENGINE } from '../fixtures/test-database.js';
import { describeWithSqlTokens } from '../fixtures/token-store.js';

const ROWS = 20_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const indexScans = (node: PlanNode): string[] => [
  ...(node['Index Name'] ? [node['Index Name']] : []),
  ...(node.Plans ?? []).flatMap(indexScans),
];

const describeOnPostgres = DB_ENGINE === 'postgres' ? describeWithSqlTokens('SQL plans') : describe.skip;

describeOnPostgres('PostgreSQL query plans', () => {
  let t: TestApp;
  const recorder = new QueryRecorder();

  beforeAll(async () => {
    t = await createTestApp({ options: { throttle: false }, typeorm: { logger: recorder, logging: true } });
    // A realistic table: many users with a live token each, a few hundred expired, statistics up to date.
    await t.dataSource.query(
      `INSERT INTO users (email, username, password, "isActive")
       SELECT 'user' || g || '@example.com', 'user' || g, '!', true FROM generate_series(1, ${ROWS}) g`,
    );
    const now = Date.now();
    await t.dataSource.query(
      `INSERT INTO password_reset_tokens ("userId", "tokenDigest", "credentialFingerprint", "createdAt", "expiresAt")
       SELECT id, encode(sha256(id::text::bytea), 'hex'), 'x', $1::bigint, $1::bigint + CASE WHEN id % 100 = 0 THEN -60000 ELSE 3600000 END
       FROM users`,
      [now],
    );
    await t.dataSource.query('ANALYZE users; ANALYZE password_reset_tokens');
  });
  afterAll(async () => t?.close());

  const explain = async (matches: (query: string) => boolean) => {
    const found = recorder.queries.filter(({ query }) => matches(query)).at(-1);
    expect(found).toBeDefined();
    const [{ 'QUERY PLAN': plan }] = await t.dataSource.query(
      `EXPLAIN (FORMAT JSON) ${found!.query}`,
      found!.parameters,
    );
    return indexScans(plan[0].Plan);
  };

  it('finds a token by its digest through the unique digest index', async () => {
    await createUser(t.dataSource);
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(200);
    await t.settle();
    await request(t.server).post(ROUTES.validate).send({ token: t.events.created[0].token }).expect(200);

    const digestIndex = t.dataSource
      .getMetadata(ResetToken)
      .uniques.find((unique) => unique.columns[0].propertyName === 'tokenDigest');
    expect(await explain((query) => query.startsWith('SELECT') && query.includes('"tokenDigest" = $1'))).toContain(
      digestIndex!.name,
    );
  });

  it('finds expired tokens for cleanup through the expiry index', async () => {
    const [{ expired }] = await t.dataSource.query(
      'SELECT count(*)::int AS expired FROM password_reset_tokens WHERE "expiresAt" <= $1',
      [Date.now()],
    );
    expect(expired).toBeGreaterThan(0);
    expect(await t.service.clearExpired()).toBe(expired);
    const expiryIndex = t.dataSource
      .getMetadata(ResetToken)
      .indices.find((index) => index.columns[0].propertyName === 'expiresAt');
    expect(await explain((query) => query.startsWith('SELECT') && query.includes('"expiresAt" <= $1'))).toContain(
      expiryIndex!.name,
    );
  });
});
