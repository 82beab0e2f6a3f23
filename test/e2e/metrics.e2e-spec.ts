import { afterEach, describe, expect, it } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import request from 'supertest';
import { PASSWORD_RESET_METER } from '../../lib/index.js';
import { closingTestApps, NEW_PASSWORD, ROUTES } from '../fixtures/reset-requests.js';
import { createUser } from '../fixtures/test-app.js';

/** A reader the test collects from when it wants, as a Prometheus scrape would. */
class ScrapeReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

interface Point {
  attributes: Record<string, unknown>;
  value: unknown;
}

async function scrape(reader: ScrapeReader): Promise<Map<string, Point[]>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const found = new Map<string, Point[]>();
  for (const scope of resourceMetrics.scopeMetrics) {
    if (scope.scope.name !== PASSWORD_RESET_METER) continue;
    for (const metric of scope.metrics) {
      const points = metric.dataPoints.map((point) => ({
        attributes: point.attributes,
        value:
          metric.dataPointType === DataPointType.HISTOGRAM ? (point.value as { count: number }).count : point.value,
      }));
      found.set(metric.descriptor.name, points);
    }
  }
  return found;
}

describe('OpenTelemetry metrics', () => {
  const startApp = closingTestApps();
  afterEach(() => metrics.disable());

  it('counts each outcome of a scripted sequence, with bounded attributes, and times the work', async () => {
    const reader = new ScrapeReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const t = await startApp({ options: { throttle: { request: { limit: 3, ttl: 60 } } } });
    await createUser(t.dataSource);

    for (const email of ['jane@example.com', 'jane@example.com', 'nobody@example.com']) {
      await request(t.server).post(ROUTES.request).send({ email }).expect(200);
      // Each request's work after a random delay: one at a time, so the last TokenCreated is jane's live token.
      await t.settle();
    }
    await request(t.server).post(ROUTES.request).send({ email: 'jane@example.com' }).expect(429);
    await t.settle();
    await request(t.server)
      .post(ROUTES.validate)
      .send({ token: 'x'.repeat(32) })
      .expect(404);
    const token = t.events.created.at(-1)!.token;
    await request(t.server).post(ROUTES.confirm).send({ token, password: NEW_PASSWORD }).expect(200);
    await t.settle();

    const found = await scrape(reader);
    expect(found.get('password_reset.requests')).toEqual(
      expect.arrayContaining([
        { attributes: { 'password_reset.outcome': 'token_created' }, value: 2 },
        { attributes: { 'password_reset.outcome': 'unknown' }, value: 1 },
      ]),
    );
    expect(found.get('password_reset.requests')).toHaveLength(2);
    expect(found.get('password_reset.throttled')).toEqual([
      { attributes: { 'password_reset.limit': 'request' }, value: 1 },
    ]);
    expect(found.get('password_reset.token.rejections')).toEqual([
      { attributes: { 'password_reset.operation': 'validate', 'password_reset.reason': 'unknown' }, value: 1 },
    ]);
    expect(found.get('password_reset.resets')).toEqual([{ attributes: {}, value: 1 }]);
    expect(found.has('password_reset.password.rejections')).toBe(false);
    expect(found.has('password_reset.delivery.failures')).toBe(false);
    expect(found.get('password_reset.request.duration')).toEqual([
      { attributes: { 'password_reset.outcome': 'done' }, value: 3 },
    ]);
    expect(found.get('password_reset.confirm.duration')).toEqual([
      { attributes: { 'password_reset.outcome': 'reset' }, value: 1 },
    ]);
  });
});
