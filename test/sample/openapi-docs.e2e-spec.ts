import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SampleApp, startSample, stopAllSamples } from '../fixtures/sample-process.js';

/** The document's JSON, read without a schema of its own. */
interface Json {
  readonly [key: string]: Json;
}

describe('sample app: Swagger UI at /docs, the OpenAPI document at /docs-json', () => {
  let sample: SampleApp;
  beforeAll(async () => {
    sample = await startSample({ env: { LOOKUP_FIELD: 'username' } });
  }, 180_000);
  afterAll(() => stopAllSamples(), 30_000);

  it('serves the UI, and every script and style it loads', async () => {
    const page = await fetch(`${sample.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // The reset page's strict policy is its own: a CSP here would have to allow what the UI runs.
    expect(page.headers.get('content-security-policy')).toBeNull();
    const html = await page.text();
    expect(html).toContain('swagger-ui');
    const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map(([, path]) => path);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      const response = await fetch(new URL(asset, page.url));
      expect({ asset, status: response.status }).toEqual({ asset, status: 200 });
    }
  });

  it('lists the three reset routes under /api/password_reset, with the configured lookup field', async () => {
    const response = await fetch(`${sample.url}/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as { paths: Json };
    const reset = Object.keys(document.paths).filter((path) => path.startsWith('/api/password_reset'));
    expect(reset.sort()).toEqual([
      '/api/password_reset',
      '/api/password_reset/confirm',
      '/api/password_reset/validate_token',
    ]);
    const body = document.paths['/api/password_reset'].post.requestBody.content['application/json'].schema;
    expect(body).toMatchObject({ required: ['username'], example: { username: expect.any(String) } });
    const confirm = document.paths['/api/password_reset/confirm'].post;
    // The TOTP verifier's `otp` field, optional, and its 403.
    expect(confirm.requestBody.content['application/json'].schema).toMatchObject({
      required: ['token', 'password'],
      properties: { otp: { type: 'string' } },
    });
    expect(Object.keys(confirm.responses).sort()).toEqual(['200', '400', '403', '404', '429', '503']);
    // The sample's own routes are in the same document.
    expect(document.paths['/auth/login']).toBeDefined();
  });
});
