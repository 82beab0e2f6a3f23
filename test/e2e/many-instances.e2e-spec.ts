import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postJson, resetLinkToken, SampleApp, startSample, stopAllSamples } from '../fixtures/sample-process.js';
import { DB_ENGINE } from '../fixtures/test-database.js';
import { waitUntil } from '../fixtures/wait-until.js';

const ATTEMPTS = 20;
const ACCOUNT = { email: 'jane@example.com', username: 'jane', password: 'Original-passphrase-1', isActive: true };
const NEW_PASSWORD = 'Tr1cky-new-passphrase';
const APP_URL = 'http://localhost/reset-password';
// Throttling is per client and would answer 429 before the database decides; the limits have their own suite.
const ENV = {
  APP_URL,
  REQUEST_THROTTLE_LIMIT: '0',
  ACCOUNT_THROTTLE_LIMIT: '0',
  TOKEN_THROTTLE_LIMIT: '0',
  LOGIN_THROTTLE_LIMIT: '0',
};

const post = async (instance: SampleApp, path: string, body: object) =>
  (await postJson(instance.url + path, body)).status;
const login = (instance: SampleApp, password: string) =>
  post(instance, '/auth/login', { email: ACCOUNT.email, password });

/** Requests a reset through `instance` and reads the token from the mail it prints. */
async function requestToken(instance: SampleApp): Promise<string> {
  const before = instance.stdout().length;
  expect(await post(instance, '/api/password_reset/', { email: ACCOUNT.email })).toBe(200);
  await waitUntil(() => instance.stdout().slice(before).includes(`${APP_URL}?token=`), 10_000, 'the reset mail');
  return resetLinkToken(instance.stdout().slice(before), APP_URL);
}

(DB_ENGINE === 'sqlite' ? describe.skip : describe)(`two sample instances on one ${DB_ENGINE} database`, () => {
  let a: SampleApp;
  let b: SampleApp;

  beforeAll(async () => {
    // One after the other: the first creates the schema and the account, the second finds both.
    a = await startSample({ seed: [ACCOUNT], env: ENV });
    b = await startSample({ seed: [ACCOUNT], env: ENV, databaseUrl: a.databaseUrl });
  }, 120_000);

  // B shares A's database, so it stops first; A then drops the database.
  afterAll(async () => {
    await b?.stop();
    await stopAllSamples();
  }, 30_000);

  it('confirms through one instance a token requested through the other', async () => {
    const token = await requestToken(a);
    expect(await post(b, '/api/password_reset/validate_token/', { token })).toBe(200);
    expect(await post(b, '/api/password_reset/confirm/', { token, password: NEW_PASSWORD })).toBe(200);
    expect(await login(a, NEW_PASSWORD)).toBe(200);
    expect(await login(a, ACCOUNT.password)).toBe(401);
    expect(await post(a, '/api/password_reset/confirm/', { token, password: `${NEW_PASSWORD}-again` })).toBe(404);
  }, 60_000);

  it(`gives exactly one winner among ${ATTEMPTS} concurrent confirms split across both instances`, async () => {
    const token = await requestToken(b);
    const passwords = Array.from({ length: ATTEMPTS }, (_, i) => `${NEW_PASSWORD}-${i}`);
    const statuses = await Promise.all(
      passwords.map((password, i) => post(i % 2 ? b : a, '/api/password_reset/confirm/', { token, password })),
    );
    const winners = statuses.flatMap((status, i) => (status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(statuses.filter((status) => status === 404)).toHaveLength(ATTEMPTS - 1);
    const logins = await Promise.all(passwords.map((password, i) => login(i % 2 ? a : b, password)));
    expect(logins).toEqual(passwords.map((_, i) => (i === winners[0] ? 200 : 401)));
    if (process.env.CONCURRENCY_REPORT) {
      console.log(
        `${DB_ENGINE}: ${ATTEMPTS} confirms over 2 instances, winner #${winners[0]} on ${winners[0] % 2 ? 'B' : 'A'}`,
      );
    }
  }, 90_000);
});
