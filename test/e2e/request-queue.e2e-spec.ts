import { afterEach, describe, expect, it } from '@jest/globals';
import { MAX_PENDING_TOKEN_REQUESTS } from '../../lib/queue/token-request.queue.js';
import { LogRecorder } from '../fixtures/log-recorder.js';
import { createTestApp, createUser, TestApp } from '../fixtures/test-app.js';

describe('the queue of token requests answered before their work ran', () => {
  let t: TestApp | undefined;
  afterEach(async () => t?.close());

  it('holds at most MAX_PENDING_TOKEN_REQUESTS, dropping the rest with a warning', async () => {
    const logs = new LogRecorder();
    t = await createTestApp({ logger: logs, options: { throttle: false } });
    await createUser(t.dataSource);
    for (let i = 0; i < MAX_PENDING_TOKEN_REQUESTS + 3; i++)
      await t.service.requestPasswordReset(`nobody${i}@example.com`);
    // The account's own request comes after the cap was reached: dropped too, so no token is issued.
    await t.service.requestPasswordReset('jane@example.com');
    await t.settle();
    expect(logs.lines('warn').filter((line) => line.includes('token requests are already waiting'))).toHaveLength(4);
    expect(t.events.created).toHaveLength(0);

    // Once the queue has drained, requests are taken again.
    await t.service.requestPasswordReset('jane@example.com');
    await t.settle();
    expect(t.events.created).toHaveLength(1);
  });
});
