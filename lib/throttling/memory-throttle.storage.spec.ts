import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryThrottleStorage } from './memory-throttle.storage.js';

const MINUTE = 60_000;

describe('MemoryThrottleStorage', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-12-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts a fixed window, blocks past the limit, and opens a new window once both are over', async () => {
    const storage = new MemoryThrottleStorage();
    const hit = () => storage.increment('k', MINUTE, 2, 2 * MINUTE);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    await hit();
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 120 });
    jest.advanceTimersByTime(MINUTE);
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 60 });
    jest.advanceTimersByTime(MINUTE);
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('holds at most maxKeys counters, dropping the oldest window for a new key', async () => {
    const storage = new MemoryThrottleStorage({ maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) {
      await storage.increment(key, MINUTE, 1, MINUTE);
      jest.advanceTimersByTime(1000);
    }
    await storage.increment('a', MINUTE, 1, MINUTE); // a is blocked now, but still the oldest window
    await storage.increment('d', MINUTE, 1, MINUTE);
    expect(storage.size).toBe(3);
    expect(await storage.increment('b', MINUTE, 1, MINUTE)).toMatchObject({ totalHits: 2 });
    // 'a' opened the oldest window, so 'd' pushed it out: its count (and its block) start afresh.
    expect(await storage.increment('a', MINUTE, 1, MINUTE)).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(storage.size).toBe(3);
  });

  it('drops expired windows as it goes, a few per hit, without a timer or a sweep', async () => {
    const storage = new MemoryThrottleStorage();
    for (let i = 0; i < 10; i++) await storage.increment(`old${i}`, MINUTE, 5, MINUTE);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(MINUTE);
    await storage.increment('new', MINUTE, 5, MINUTE);
    expect(storage.size).toBe(10 - 4 + 1);
    await storage.increment('new', MINUTE, 5, MINUTE);
    await storage.increment('new', MINUTE, 5, MINUTE);
    expect(storage.size).toBe(1);
  });

  it('keeps a renewed window at the young end, so the oldest is always first', async () => {
    const storage = new MemoryThrottleStorage({ maxKeys: 2 });
    await storage.increment('a', MINUTE, 5, MINUTE);
    jest.advanceTimersByTime(1000);
    await storage.increment('b', 30 * 1000, 5, 30 * 1000);
    jest.advanceTimersByTime(30 * 1000);
    await storage.increment('b', 30 * 1000, 5, 30 * 1000); // b's window ended: a new one opens, behind a
    await storage.increment('c', MINUTE, 5, MINUTE); // full: evicts a, the oldest
    expect(await storage.increment('b', MINUTE, 5, MINUTE)).toMatchObject({ totalHits: 2 });
    expect(await storage.increment('a', MINUTE, 5, MINUTE)).toMatchObject({ totalHits: 1 });
  });

  it('refuses a nonsensical size', () => {
    expect(() => new MemoryThrottleStorage({ maxKeys: 0 })).toThrow(/maxKeys/);
  });
});
