import { beforeAll, describe, expect, it } from '@jest/globals';
import {
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

const REQUEST = 'mutation($email: String!) { requestPasswordReset(email: $email) { status } }';
const VALIDATE = 'mutation($token: String!) { validatePasswordResetToken(token: $token) { status } }';
const CONFIRM =
  'mutation($token: String!, $password: String!) { confirmPasswordReset(token: $token, password: $password) { status } }';

describe('sample app: GRAPHQL=true mounts the mutations at /graphql', () => {
  const sink = useSmtpSink();
  let sample: SampleApp;
  let plain: SampleApp;
  const graphql = (query: string, variables?: object) => postJson(`${sample.url}/graphql`, { query, variables });
  const login = (password: string) => postJson(`${sample.url}/auth/login`, { email: JANE.email, password });

  beforeAll(async () => {
    sample = await startSample({ seed: [JANE], env: { ...sink().env, APP_URL, GRAPHQL: 'true' } });
    plain = await startSample({ seed: [JANE] });
  }, 180_000);

  it('runs the flow: the mailed token validates, confirms, and the new password logs in', async () => {
    expect(sample.stdout()).toContain(`GraphQL at http://localhost:${sample.port}/graphql`);
    const before = sink().mails.length;
    expect(await graphql(REQUEST, { email: JANE.email })).toEqual({
      status: 200,
      body: { data: { requestPasswordReset: { status: 'OK' } } },
    });
    const mail = await sink().waitForMail(before + 1);
    expect(mail.recipients).toEqual([JANE.email]);
    const token = resetLinkToken(mail.parsed.text, APP_URL);

    expect((await graphql(VALIDATE, { token })).body).toEqual({
      data: { validatePasswordResetToken: { status: 'OK' } },
    });
    expect((await graphql(CONFIRM, { token, password: NEW_PASSWORD })).body).toEqual({
      data: { confirmPasswordReset: { status: 'OK' } },
    });
    expect((await login(JANE.password!)).status).toBe(401);
    expect((await login(NEW_PASSWORD)).status).toBe(200);
    expect((await graphql(VALIDATE, { token })).body).toMatchObject({
      data: null,
      errors: [{ message: 'The password reset token is invalid or has expired.', extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it('answers the query the schema needs, and keeps the REST routes', async () => {
    expect((await graphql('{ passwordResetLookupField }')).body).toEqual({
      data: { passwordResetLookupField: 'email' },
    });
    expect(await postJson(`${sample.url}/api/password_reset/`, { email: 'nobody@example.com' })).toEqual({
      status: 200,
      body: { status: 'OK' },
    });
  });

  it('mounts nothing at /graphql without GRAPHQL', async () => {
    expect((await postJson(`${plain.url}/graphql`, { query: '{ passwordResetLookupField }' })).status).toBe(404);
  });
});
