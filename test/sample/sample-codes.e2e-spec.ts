import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { generateSecret } from 'otplib';
import {
  postJson,
  resetLinkToken,
  SampleApp,
  SeedAccount,
  startSample,
  stopAllSamples,
  useSmtpSink,
  withSampleDatabase,
} from '../fixtures/sample-process.js';
import { currentTotp, wrongTotp } from '../fixtures/totp-verifier.js';

const APP_URL = 'https://app.example.test/reset-password';
const TOKEN_SECRET = 'the-sample-token-secret-of-32-chars!!';
const NEW_PASSWORD = 'Tr1cky-new-passphrase';
const OK = { status: 200, body: { status: 'OK' } };
const JANE: SeedAccount = {
  email: 'jane@example.com',
  username: 'jane',
  password: 'jane-old-secret-7',
  isActive: true,
};
/** Seeded with a TOTP secret: her confirm needs `otp` beside the code and the account. */
const MIA: SeedAccount = { ...JANE, email: 'mia@example.com', username: 'mia', totpSecret: generateSecret() };

describe('sample app with RESET_CODES=true: 6-digit codes bound to the account', () => {
  const sink = useSmtpSink();
  let sample: SampleApp;
  const api = (path: string) => `${sample.url}/api/password_reset/${path}`;

  beforeAll(async () => {
    sample = await startSample({
      seed: [JANE, MIA],
      env: { ...sink().env, APP_URL, RESET_CODES: 'true', TOKEN_SECRET },
    });
  }, 180_000);
  afterAll(() => stopAllSamples());

  it('mails a code in the link and in the text, which resets the password only with the account named', async () => {
    const before = sink().mails.length;
    expect(await postJson(api(''), { email: JANE.email })).toEqual(OK);
    const text = (await sink().waitForMail(before + 1)).parsed.text!;
    const code = resetLinkToken(text, APP_URL);
    expect(code).toMatch(/^\d{6}$/);
    expect(text).toContain(`enter this code with your email: ${code}`);

    // Keyed with TOKEN_SECRET and bound to the user: "<user id>\0<code>".
    const [row] = await withSampleDatabase(sample.databaseUrl, (db) =>
      db.query(
        'SELECT "userId", "tokenDigest" FROM password_reset_tokens'.replace(
          /"/g,
          db.options.type === 'mariadb' ? '`' : '"',
        ),
      ),
    );
    expect(row.tokenDigest).toBe(createHmac('sha256', TOKEN_SECRET).update(`${row.userId}\u0000${code}`).digest('hex'));

    expect((await postJson(api('validate_token/'), { token: code })).status).toBe(400);
    expect((await postJson(api('validate_token/'), { token: code, email: 'someone@example.com' })).status).toBe(404);
    expect(await postJson(api('validate_token/'), { token: code, email: JANE.email })).toEqual(OK);
    expect(await postJson(api('confirm/'), { token: code, email: JANE.email, password: NEW_PASSWORD })).toEqual(OK);
    expect((await postJson(`${sample.url}/auth/login`, { email: JANE.email, password: NEW_PASSWORD })).status).toBe(
      200,
    );
    expect(
      (await postJson(api('confirm/'), { token: code, email: JANE.email, password: 'An0ther-passphrase' })).status,
    ).toBe(404);
  });

  it('serves the reset page in codes mode, so it sends the account beside the code', async () => {
    const html = await (await fetch(`${sample.url}/reset-password`)).text();
    expect(html).toContain('data-reset-codes="true"');
    expect(html).toContain('data-lookup-field="email"');
    const script = await (await fetch(`${sample.url}/reset-password.js`)).text();
    expect(script).toContain("post('confirm/', { token, password, ...account(), ...secondFactor() })");
  });

  it("asks for Mia's TOTP code beside her reset code: 403 without it or with a wrong one, 200 with it", async () => {
    const before = sink().mails.length;
    expect(await postJson(api(''), { email: MIA.email })).toEqual(OK);
    const code = resetLinkToken((await sink().waitForMail(before + 1)).parsed.text!, APP_URL);
    const body = { token: code, email: MIA.email, password: NEW_PASSWORD };
    expect(await postJson(api('validate_token/'), { token: code, email: MIA.email })).toEqual({
      status: 200,
      body: { status: 'OK', secondFactorRequired: true },
    });
    const missing = await postJson(api('confirm/'), body);
    expect(missing).toMatchObject({ status: 403, body: { secondFactorRequired: true } });
    const wrong = await postJson(api('confirm/'), { ...body, otp: await wrongTotp(MIA.totpSecret!) });
    expect(wrong).toMatchObject({ status: 403, body: { message: 'The second factor could not be verified.' } });
    const login = (password: string) => postJson(`${sample.url}/auth/login`, { email: MIA.email, password });
    expect((await login(MIA.password!)).status).toBe(200);
    expect(await postJson(api('confirm/'), { ...body, otp: await currentTotp(MIA.totpSecret!) })).toEqual(OK);
    expect((await login(NEW_PASSWORD)).status).toBe(200);
  });

  // Two sample starts: on a loaded machine, more than Jest's default 5 s.
  it('warns when TOKEN_SECRET is unset and makes one up, and refuses a short one', async () => {
    const unkeyed = await startSample({ seed: [JANE], env: { ...sink().env, RESET_CODES: 'true' } });
    expect(unkeyed.stderr() + unkeyed.stdout()).toMatch(/TOKEN_SECRET is not set/);
    await unkeyed.stop();
    const short = await startSample({ seed: [JANE], env: { ...sink().env, TOKEN_SECRET: 'short' } }).catch(
      (error: Error) => error,
    );
    expect(String(short)).toMatch(/TOKEN_SECRET must be at least 32 characters long/);
  }, 60_000);
});
