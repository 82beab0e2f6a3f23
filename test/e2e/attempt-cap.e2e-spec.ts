import { afterEach, describe, expect, it, jest } from '@jest/globals';
import request from 'supertest';
import { RandomNumberTokenGenerator, ResetTokenStore } from '../../lib/index.js';
import { createTestApp, createUser, TestApp } from '../fixtures/test-app.js';
import { issueToken, ROUTES } from '../fixtures/reset-requests.js';

const SECRET = 'a-server-secret-of-at-least-32-characters!';
const CAP = 5;
const GUESSES = 60;

const codeOptions = {
  tokenGenerator: new RandomNumberTokenGenerator(),
  tokenSecret: SECRET,
  maxFailedAttempts: CAP,
  throttle: false as const,
};

/** `count` distinct six-digit codes, none of them `code`. */
function wrongCodes(code: string, count: number): string[] {
  const codes: string[] = [];
  for (let n = 100000; codes.length < count; n++) if (String(n) !== code) codes.push(String(n));
  return codes;
}

type Spied = { matchesDigest(stored: string, guessed: string): boolean };

/**
 * The review saw 41 of 60 concurrent guesses compared against one code whose cap was 5. Each guess must
 * take an attempt from the store before it is compared: the comparisons against the code's digest are
 * counted with a spy, the store's answers with another.
 */
describe.each([
  ['the TypeORM store (DB_ENGINE)', false],
  ['the Redis store', true],
])('the attempt cap with %s', (_name, onRedis) => {
  let t: TestApp;
  afterEach(async () => t?.close());

  const start = (): Promise<TestApp> =>
    createTestApp({ options: codeOptions, tokenStore: onRedis ? 'redis' : 'database' });

  it(`compares at most ${CAP} of ${GUESSES} concurrent wrong guesses, then the code is revoked`, async () => {
    t = await start();
    const user = await createUser(t.dataSource);
    const code = await issueToken(t);
    const store = t.app.get(ResetTokenStore);
    const stored = (await store.findByUser(user.id))!;
    const compare = jest.spyOn(t.service as unknown as Spied, 'matchesDigest');
    const counted = jest.spyOn(store, 'recordFailedAttempt');

    const outcomes = await Promise.allSettled(
      wrongCodes(code, GUESSES).map((guess) => t.service.validateToken(guess, 'jane@example.com')),
    );
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    const againstCode = compare.mock.calls.filter(([digest]) => digest === stored.tokenDigest);
    expect(againstCode.length).toBeLessThanOrEqual(CAP);
    const admitted = (await Promise.all(counted.mock.results.map((result) => result.value as Promise<number>)))
      .filter((count) => count > 0 && count <= CAP)
      .sort((a, b) => a - b);
    expect(admitted).toEqual([1, 2, 3, 4, 5]);
    expect(await store.findByUser(user.id)).toBeNull();
    await request(t.server).post(ROUTES.validate).send({ token: code, email: 'jane@example.com' }).expect(404);
  });

  it('lets the right code through after cap - 1 misses, and costs the owner no attempt', async () => {
    t = await start();
    const user = await createUser(t.dataSource);
    const code = await issueToken(t);
    for (const guess of wrongCodes(code, CAP - 1)) {
      await request(t.server).post(ROUTES.validate).send({ token: guess, email: 'jane@example.com' }).expect(404);
    }
    const store = t.app.get(ResetTokenStore);
    expect((await store.findByUser(user.id))!.failedAttempts).toBe(CAP - 1);
    // Validate twice, then a refused password, then the confirm: none of it uses an attempt up.
    for (let i = 0; i < 2; i++) {
      await request(t.server).post(ROUTES.validate).send({ token: code, email: 'jane@example.com' }).expect(200);
    }
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token: code, email: 'jane@example.com', password: 'short' })
      .expect(400);
    expect((await store.findByUser(user.id))!.failedAttempts).toBe(CAP - 1);
    await request(t.server)
      .post(ROUTES.confirm)
      .send({ token: code, email: 'jane@example.com', password: 'Tr1cky-new-passphrase' })
      .expect(200);
  });
});
