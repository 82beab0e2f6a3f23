import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryThrottleStorage } from './memory-throttle.storage.js';

const SECOND = 1000;

describe('MemoryThrottleStorage', () => {
  let storage: MemoryThrottleStorage;
  // A fake clock: windows and blocks end exactly when the test says, with no waiting.
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') });
    storage = new MemoryThrottleStorage();
  });
  afterEach(() => {
    storage.close();
    jest.useRealTimers();
  });

  const hit = (key = 'client', ttl = 10 * SECOND, limit = 2, block = 60 * SECOND) =>
    storage.increment(key, ttl, limit, block);

  it('counts hits in a window and reports the seconds left in it', async () => {
    await expect(hit()).resolves.toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    jest.advanceTimersByTime(2_500);
    await expect(hit()).resolves.toEqual({ totalHits: 2, timeToExpire: 8, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('starts a new window once the ttl has passed, and not a moment before', async () => {
    for (let i = 0; i < 2; i++) await hit('client', 10 * SECOND, 5);
    jest.advanceTimersByTime(10 * SECOND - 1);
    expect((await hit('client', 10 * SECOND, 5)).totalHits).toBe(3);
    jest.advanceTimersByTime(1);
    await expect(hit('client', 10 * SECOND, 5)).resolves.toEqual({
      totalHits: 1,
      timeToExpire: 10,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('blocks past the limit for blockDuration, even beyond the window, then lets the client in again', async () => {
    await hit();
    await hit();
    await expect(hit()).resolves.toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 60 });
    // The window is over, the block is not.
    jest.advanceTimersByTime(30 * SECOND);
    await expect(hit()).resolves.toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
    jest.advanceTimersByTime(30 * SECOND - 1);
    await expect(hit()).resolves.toMatchObject({ isBlocked: true, timeToBlockExpire: 1 });
    jest.advanceTimersByTime(1);
    await expect(hit()).resolves.toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('keeps a counter per key', async () => {
    await hit('a');
    await hit('a');
    await expect(hit('a')).resolves.toMatchObject({ isBlocked: true });
    await expect(hit('b')).resolves.toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps a blocked client blocked through the sweep that forgets idle windows', async () => {
    for (let i = 0; i < 3; i++) await hit('blocked', 10 * SECOND, 2, 5 * 60 * SECOND);
    // The sweep runs once a minute on its own timer; the window has ended by then, the block has not.
    jest.advanceTimersByTime(60 * SECOND);
    await expect(hit('blocked', 10 * SECOND, 2, 5 * 60 * SECOND)).resolves.toMatchObject({
      totalHits: 4,
      isBlocked: true,
      timeToBlockExpire: 4 * 60,
    });
  });
});
