import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort,
  IN_ORDER,
  postJson,
  resetLinkToken,
  SampleApp,
  SeedAccount,
  startSample,
  useSmtpSink,
} from '../fixtures/sample-process.js';

const APP_URL = 'https://app.example.test/reset-password';
const NEW_PASSWORD = 'Tr1cky-new-passphrase';
const JANE: SeedAccount = {
  email: 'jane@example.com',
  username: 'jane',
  password: 'jane-old-secret-7',
  isActive: true,
};

/** The value of one sample in Prometheus text, e.g. `password_reset_resets_total`, with labels containing `labels`. */
function sampleValue(text: string, name: string, labels = ''): number {
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) && candidate.includes(labels),
    );
  return line ? Number(line.trim().split(' ').at(-1)) : 0;
}

describe('sample app: notices and metrics', () => {
  const sink = useSmtpSink();
  let sample: SampleApp;
  let metricsUrl: string;
  const api = (path: string) => `${sample.url}/api/password_reset/${path}`;

  beforeAll(async () => {
    const metricsPort = await freePort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    sample = await startSample({
      seed: [JANE],
      env: {
        ...sink().env,
        ...IN_ORDER,
        APP_URL,
        METRICS_PORT: String(metricsPort),
        NOTIFY_UNKNOWN_ADDRESSES: 'true',
      },
    });
  }, 180_000);

  it('mails "your password was changed" to the stored address after a reset, with no link', async () => {
    const before = sink().mails.length;
    expect(await postJson(api(''), { email: 'JANE@example.com' })).toEqual({ status: 200, body: { status: 'OK' } });
    const token = resetLinkToken((await sink().waitForMailTo(JANE.email, before)).parsed.text, APP_URL);
    const sent = sink().mails.length;
    expect((await postJson(api('confirm/'), { token, password: NEW_PASSWORD })).status).toBe(200);

    const notice = await sink().waitForMailTo(JANE.email, sent);
    expect(notice.recipients).toEqual([JANE.email]);
    expect(notice.parsed.subject).toBe('Your password was changed');
    expect(notice.parsed.text).toContain('If it was not you');
    expect(notice.parsed.text).not.toMatch(/https?:\/\//);
    expect(notice.parsed.text).not.toContain(token);
    expect(notice.parsed.text).not.toContain(NEW_PASSWORD);
  });

  it('with NOTIFY_UNKNOWN_ADDRESSES=true, mails an address that has no account, answering as for any other', async () => {
    const before = sink().mails.length;
    expect(await postJson(api(''), { email: 'stranger@example.com' })).toEqual({ status: 200, body: { status: 'OK' } });
    const mail = await sink().waitForMailTo('stranger@example.com', before);
    expect(mail.parsed.subject).toBe('Password reset request');
    expect(mail.parsed.text).toContain('we have no account for it');
    expect(mail.parsed.text).not.toMatch(/token=/);
  });

  it('serves Prometheus text at GET /metrics on METRICS_PORT, and its counters move with the flow', async () => {
    const scrape = async () => {
      const response = await fetch(metricsUrl);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      return response.text();
    };
    const first = await scrape();
    expect(first).toMatch(/^# HELP password_reset_requests_total /m);
    expect(first).toMatch(/^# TYPE password_reset_resets_total counter$/m);
    const created = sampleValue(first, 'password_reset_requests_total', 'password_reset_outcome="token_created"');
    const unknown = sampleValue(first, 'password_reset_requests_total', 'password_reset_outcome="unknown"');
    const rejected = sampleValue(first, 'password_reset_token_rejections_total', 'password_reset_reason="unknown"');
    expect(created).toBeGreaterThanOrEqual(1);
    expect(sampleValue(first, 'password_reset_resets_total')).toBeGreaterThanOrEqual(1);

    const before = sink().mails.length;
    await postJson(api(''), { email: JANE.email });
    await postJson(api(''), { email: 'nobody@example.com' });
    await sink().waitForMailTo('nobody@example.com', before);
    await sink().waitForMailTo(JANE.email, before);
    expect((await postJson(api('validate_token/'), { token: 'x'.repeat(32) })).status).toBe(404);

    const second = await scrape();
    expect(sampleValue(second, 'password_reset_requests_total', 'password_reset_outcome="token_created"')).toBe(
      created + 1,
    );
    expect(sampleValue(second, 'password_reset_requests_total', 'password_reset_outcome="unknown"')).toBe(unknown + 1);
    expect(sampleValue(second, 'password_reset_token_rejections_total', 'password_reset_reason="unknown"')).toBe(
      rejected + 1,
    );
    expect(second).toMatch(/^password_reset_confirm_duration_count\{[^}]*\} 1$/m);
    expect(second).toMatch(/^password_reset_confirm_duration_bucket\{[^}]*le="0.5"\} /m);
  });

  it('serves no metrics on the public port', async () => {
    expect((await fetch(`${sample.url}/metrics`)).status).toBe(404);
  });
});
