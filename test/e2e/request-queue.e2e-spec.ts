import { afterEach, describe, expect, it } from '@jest/globals';
import { MAX_PENDING_TOKEN_REQUESTS } from '../../lib/password-reset.service.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { createTestApp, createUser, TestApp } from '../fixtures/test-app.js';

describe('the queue of token requests answered before their work ran', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  it('holds at most MAX_PENDING_TOKEN_REQUESTS, dropping the rest with a warning', async () => {
    const logs = new LogRecorder();
    t = await createTestApp({ logger: logs, options: { throttle: false } });
    await createUser(t.dataSource);
    for (let i = 0; i < MAX_PENDING_TOKEN_REQUESTS + 3; i++) t.service.scheduleTokenRequest(`nobody${i}@example.com`);
    // The account's own request comes after the cap was reached: dropped too, so no token is issued.
    t.service.scheduleTokenRequest('jane@example.com');
    await t.settle();
    expect(logs.lines('warn').filter((line) => line.includes('token requests are already waiting'))).toHaveLength(4);
    expect(t.events.created).toHaveLength(0);

    // Once the queue has drained, requests are taken again.
    t.service.scheduleTokenRequest('jane@example.com');
    await t.settle();
    expect(t.events.created).toHaveLength(1);
  });
});
