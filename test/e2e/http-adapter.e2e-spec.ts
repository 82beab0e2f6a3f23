import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createTestApp, TestApp } from '../fixtures/test-app.js';

/** Read here rather than from the fixture, so a fixture that ignored HTTP_ADAPTER would fail. */
const EXPECTED = (process.env.HTTP_ADAPTER || 'express').toLowerCase();

/** `npm test` runs the black-box suites once per adapter: each pass must really run on the one it is named after. */
describe(`HTTP adapter (${EXPECTED})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('builds the test apps on the platform HTTP_ADAPTER names', () => {
    expect(t.app.getHttpAdapter().getType()).toBe(EXPECTED);
    expect(t.adapter).toBe(EXPECTED);
  });

  it('answers over HTTP from that platform', async () => {
    const response = await request(t.server).post('/password_reset/').send({ email: 'nobody@example.com' }).expect(200);
    // Express announces itself on every response; Fastify sends no X-Powered-By.
    expect(response.headers['x-powered-by']).toBe(EXPECTED === 'express' ? 'Express' : undefined);
  });
});
