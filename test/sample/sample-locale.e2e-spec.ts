import { beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import {
  IN_ORDER,
  resetLinkToken,
  SampleApp,
  SeedAccount,
  startSample,
  useSmtpSink,
} from '../fixtures/sample-process.js';

const APP_URL = 'https://app.example.test/reset-password';
const ANA: SeedAccount = { email: 'ana@example.com', username: 'ana', password: 'ana-old-secret-7', isActive: true };
const BEN: SeedAccount = { email: 'ben@example.com', username: 'ben', password: 'ben-old-secret-7', isActive: true };

/** A JSON POST with an Accept-Language header (or none). */
function post(
  url: string,
  body: unknown,
  acceptLanguage?: string,
): Promise<{ status: number; body: { message?: unknown; status?: string } }> {
  const payload = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  };
  if (acceptLanguage) headers['accept-language'] = acceptLanguage;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe('sample app: the reset mail in the language of the request', () => {
  const sink = useSmtpSink();
  let sample: SampleApp;
  const api = (path: string) => `${sample.url}/api/password_reset/${path}`;

  beforeAll(async () => {
    sample = await startSample({ seed: [ANA, BEN], env: { ...sink().env, APP_URL, ...IN_ORDER } });
  }, 180_000);

  it('mails in Portuguese for Accept-Language: pt-BR, in English without it', async () => {
    const before = sink().mails.length;
    expect(await post(api(''), { email: ANA.email }, 'pt-BR')).toEqual({ status: 200, body: { status: 'OK' } });
    const portuguese = (await sink().waitForMailTo(ANA.email, before)).parsed;
    expect(portuguese.subject).toBe('Redefina sua senha');
    expect(portuguese.text).toContain('Olá, ana,');
    expect(portuguese.text).toContain('Alguém pediu para redefinir a senha da sua conta.');
    // The link in it works.
    const token = resetLinkToken(portuguese.text, APP_URL);
    expect(await post(api('validate_token/'), { token })).toEqual({ status: 200, body: { status: 'OK' } });

    const next = sink().mails.length;
    expect((await post(api(''), { email: BEN.email })).status).toBe(200);
    const english = (await sink().waitForMailTo(BEN.email, next)).parsed;
    expect(english.subject).toBe('Reset your password');
    expect(english.text).toContain('Hello ben,');
  });

  it('answers its errors in the language of the request', async () => {
    expect(await post(api('validate_token/'), { token: 'nope' }, 'pt-BR,en;q=0.5')).toEqual({
      status: 404,
      body: { statusCode: 404, message: 'O token de redefinição de senha é inválido ou expirou.', error: 'Not Found' },
    });
  });
});

describe('sample app with NEST_I18N=true: the app overrides a message in its nestjs-i18n files', () => {
  const sink = useSmtpSink();
  let sample: SampleApp;
  const api = (path: string) => `${sample.url}/api/password_reset/${path}`;

  beforeAll(async () => {
    sample = await startSample({ seed: [ANA], env: { ...sink().env, APP_URL, NEST_I18N: 'true', ...IN_ORDER } });
  }, 180_000);

  it("gives the app's pt-BR text for the overridden key, and the shipped texts for every other key", async () => {
    const invalid = (acceptLanguage?: string) =>
      post(api('validate_token/'), { token: 'nope' }, acceptLanguage).then((response) => response.body.message);
    // sample/i18n/pt-BR/password_reset.json overrides invalidToken.
    expect(await invalid('pt-BR')).toBe('Este link de redefinição não vale mais. Peça um novo.');
    // nestjs-i18n's resolvers choose among the app's languages (en and pt-BR here): German falls back to English.
    expect(await invalid('de')).toBe('The password reset token is invalid or has expired.');
    expect(await invalid()).toBe('The password reset token is invalid or has expired.');
    const empty = await post(api(''), {}, 'pt-BR');
    expect(empty.body.message).toEqual(['email não pode ficar vazio']);
    // nestjs-i18n's own resolvers pick the language: here its query resolver, over the header.
    const viaQuery = await post(`${api('validate_token/')}?lang=pt-BR`, { token: 'nope' }, 'de');
    expect(viaQuery.body.message).toBe('Este link de redefinição não vale mais. Peça um novo.');
  });

  it('still mails in the language nestjs-i18n resolved', async () => {
    const before = sink().mails.length;
    expect((await post(api(''), { email: ANA.email }, 'pt-BR')).status).toBe(200);
    expect((await sink().waitForMailTo(ANA.email, before)).parsed.subject).toBe('Redefina sua senha');
  });
});
