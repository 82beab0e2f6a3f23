import { describe, expect, it, jest } from '@jest/globals';
import { ConflictException, HttpException } from '@nestjs/common';
import request from 'supertest';
import {
  PasswordResetModuleOptions,
  RandomNumberTokenGenerator,
  ResetTokenStore,
  SECOND_FACTOR_INVALID_MESSAGE,
  SECOND_FACTOR_REQUIRED_MESSAGE,
  SecondFactorProof,
  SecondFactorRequiredException,
  SecondFactorVerifier,
} from '../../lib/index.js';
import {
  closingTestApps,
  INVALID_TOKEN_BODY,
  issueToken,
  NEW_PASSWORD,
  ROUTES,
  tokenRowsOf,
} from '../fixtures/reset-requests.js';
import { createUser, passwordWorks, TestApp, TestAppOptions } from '../fixtures/test-app.js';
import { currentTotp, TotpTestVerifier, wrongTotp } from '../fixtures/totp-verifier.js';
import type { User } from '../fixtures/user.entity.js';

const OLD_PASSWORD = 'correct horse battery';
const CAP = 5;
const SECRET = 'a-server-secret-of-at-least-32-characters!';

/** The 403 bodies, in Nest's shape plus the flag that tells them from any other 403. */
const REQUIRED_BODY = {
  statusCode: 403,
  message: SECOND_FACTOR_REQUIRED_MESSAGE,
  error: 'Forbidden',
  secondFactorRequired: true,
};
const INVALID_BODY = { ...REQUIRED_BODY, message: SECOND_FACTOR_INVALID_MESSAGE };

type Setup = TestAppOptions & { verifier?: SecondFactorVerifier };

describe('second factor on confirm (SecondFactorVerifier)', () => {
  const startApp = closingTestApps();

  /** A test app with the TOTP verifier (or `verifier`) in extraProviders; throttles off unless `options` say. */
  async function start({ verifier = new TotpTestVerifier(), options, ...setup }: Setup = {}) {
    const t = await startApp({
      ...setup,
      options: { throttle: false, ...options },
      extras: { extraProviders: [{ provide: SecondFactorVerifier, useValue: verifier }] },
    });
    return { t, verifier: verifier as TotpTestVerifier };
  }

  /** Jane, enrolled with TOTP, and a live token for her. */
  async function enrolledJane(options?: PasswordResetModuleOptions) {
    const { t, verifier } = await start({ options });
    const jane = await createUser(t.dataSource);
    const secret = verifier.enrol(jane as User, ['recovery-code-one']);
    const token = await issueToken(t);
    return { t, verifier, jane, secret, token };
  }

  const confirm = (t: TestApp, body: object) => request(t.server).post(ROUTES.confirm).send(body);
  const attemptsOf = async (t: TestApp, userId: number) => (await tokenRowsOf(t, userId))[0]?.failedAttempts;

  /** The account as it was: the old password logs in, the new one does not, the token still validates. */
  async function expectUnchanged(t: TestApp, userId: number, token: string) {
    expect(await passwordWorks(t.dataSource, userId, OLD_PASSWORD)).toBe(true);
    expect(await passwordWorks(t.dataSource, userId, NEW_PASSWORD)).toBe(false);
    await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
  }

  describe('an enrolled user', () => {
    it('cannot reset without a proof: a 403 that asks for it, the token kept, no attempt spent', async () => {
      const { t, jane, token, verifier } = await enrolledJane();
      await confirm(t, { token, password: NEW_PASSWORD }).expect(403, REQUIRED_BODY);
      // A blank field is no proof either (an HTML form sends its empty input).
      await confirm(t, { token, password: NEW_PASSWORD, otp: '  ' }).expect(403, REQUIRED_BODY);
      await expectUnchanged(t, jane.id, token);
      expect(await attemptsOf(t, jane.id)).toBe(0);
      expect(verifier.verifications).toBe(0);
      expect(t.events.preReset).toHaveLength(0);
    });

    it('cannot reset with a wrong code: a 403, the password unchanged, the token kept and one attempt spent', async () => {
      const { t, jane, token, secret } = await enrolledJane();
      await confirm(t, { token, password: NEW_PASSWORD, otp: await wrongTotp(secret) }).expect(403, INVALID_BODY);
      await expectUnchanged(t, jane.id, token);
      expect(await attemptsOf(t, jane.id)).toBe(1);
      expect(t.events.preReset).toHaveLength(0);
    });

    it('resets with the current code (JSON or a form, spaces trimmed), and the new password logs in', async () => {
      const { t, jane, token, secret } = await enrolledJane();
      const otp = await currentTotp(secret);
      await request(t.server)
        .post(ROUTES.confirm)
        .type('form')
        .send({ token, password: NEW_PASSWORD, otp: ` ${otp} ` })
        .expect(200, { status: 'OK' });
      expect(await passwordWorks(t.dataSource, jane.id, NEW_PASSWORD)).toBe(true);
      expect(await passwordWorks(t.dataSource, jane.id, OLD_PASSWORD)).toBe(false);
      expect(await tokenRowsOf(t, jane.id)).toEqual([]);
      expect(t.events.postReset).toHaveLength(1);
    });

    it('resets with a recovery code in its own field, which is spent by it', async () => {
      const { t, jane, token } = await enrolledJane();
      await confirm(t, { token, password: 'Short', recoveryCode: 'recovery-code-one' }).expect(400);
      // Spent by the check that proved it, although the password was refused afterwards.
      await confirm(t, { token, password: NEW_PASSWORD, recoveryCode: 'recovery-code-one' }).expect(403, INVALID_BODY);
      expect(await passwordWorks(t.dataSource, jane.id, OLD_PASSWORD)).toBe(true);
    });

    it(`revokes the token at the ${CAP}th wrong code: 403 until then, then the generic 404, even for the right code`, async () => {
      const { t, jane, token, secret } = await enrolledJane();
      for (let n = 1; n < CAP; n++) {
        await confirm(t, { token, password: NEW_PASSWORD, otp: await wrongTotp(secret, n) }).expect(403, INVALID_BODY);
        expect(await attemptsOf(t, jane.id)).toBe(n);
      }
      await confirm(t, { token, password: NEW_PASSWORD, otp: await wrongTotp(secret, CAP) }).expect(
        404,
        INVALID_TOKEN_BODY,
      );
      expect(await tokenRowsOf(t, jane.id)).toEqual([]);
      await confirm(t, { token, password: NEW_PASSWORD, otp: await currentTotp(secret) }).expect(
        404,
        INVALID_TOKEN_BODY,
      );
      await request(t.server).post(ROUTES.validate).send({ token }).expect(404, INVALID_TOKEN_BODY);
      expect(await passwordWorks(t.dataSource, jane.id, OLD_PASSWORD)).toBe(true);
    });

    it('takes the cap from maxFailedAttempts', async () => {
      const { t, jane, token, secret } = await enrolledJane({ maxFailedAttempts: 2 });
      await confirm(t, { token, password: NEW_PASSWORD, otp: await wrongTotp(secret, 1) }).expect(403);
      await confirm(t, { token, password: NEW_PASSWORD, otp: await wrongTotp(secret, 2) }).expect(404);
      expect(await tokenRowsOf(t, jane.id)).toEqual([]);
    });

    // Every guess must take an attempt from the store before it is verified: the store's answers are watched to
    // prove that more than CAP guesses reached the count (they were concurrent), and the verifier counts its calls.
    it.each([
      ['over HTTP', 'http'],
      ['through the service', 'service'],
    ])(`verifies at most ${CAP} of 40 concurrent wrong codes %s, then the token is revoked`, async (_name, via) => {
      const { t, jane, token, secret, verifier } = await enrolledJane();
      const counted = jest.spyOn(t.app.get(ResetTokenStore), 'recordFailedAttempt');
      const guesses = await Promise.all(Array.from({ length: 40 }, (_, n) => wrongTotp(secret, n)));
      const statuses = await Promise.all(
        guesses.map((otp) =>
          via === 'http'
            ? confirm(t, { token, password: NEW_PASSWORD, otp }).then((answer: request.Response) => answer.status)
            : t.service.confirmReset(token, NEW_PASSWORD, undefined, {}, { otp }).then(
                () => 200,
                (error: HttpException) => error.getStatus(),
              ),
        ),
      );
      expect(verifier.verifications).toBeLessThanOrEqual(CAP);
      expect(statuses.filter((status) => status === 403)).toHaveLength(CAP - 1);
      expect(statuses.filter((status) => status === 404)).toHaveLength(40 - (CAP - 1));
      if (via === 'service') expect(counted.mock.calls.length).toBeGreaterThan(CAP);
      expect(await tokenRowsOf(t, jane.id)).toEqual([]);
      await confirm(t, { token, password: NEW_PASSWORD, otp: await currentTotp(secret) }).expect(404);
      expect(await passwordWorks(t.dataSource, jane.id, OLD_PASSWORD)).toBe(true);
    });

    it('checks the token first, then the second factor, then the password rules', async () => {
      const { t, jane, token, secret, verifier } = await enrolledJane();
      // A bad token: the generic 404, and the verifier is not asked anything.
      await confirm(t, { token: 'no-such-token', password: NEW_PASSWORD, otp: await currentTotp(secret) }).expect(
        404,
        INVALID_TOKEN_BODY,
      );
      expect(verifier.enrolments).toBe(0);
      // A wrong or missing code wins over a weak password: the password rules are not run before the factor.
      await confirm(t, { token, password: 'Short' }).expect(403, REQUIRED_BODY);
      await confirm(t, { token, password: 'Short', otp: await wrongTotp(secret) }).expect(403, INVALID_BODY);
      // The right code with a weak password: the validators' 400, the token kept, the attempt given back.
      const refused = await confirm(t, { token, password: 'Short', otp: await currentTotp(secret) }).expect(400);
      expect(refused.body.message).toContain('This password is too short. It must contain at least 8 characters.');
      expect(await attemptsOf(t, jane.id)).toBe(1);
      await confirm(t, { token, password: NEW_PASSWORD, otp: await currentTotp(secret) }).expect(200);
    });

    it('lets a PreReset listener veto only after the second factor', async () => {
      const { t, jane, token, secret } = await enrolledJane();
      t.events.vetoReset = new ConflictException('vetoed');
      await confirm(t, { token, password: NEW_PASSWORD, otp: await wrongTotp(secret) }).expect(403, INVALID_BODY);
      expect(t.events.preReset).toHaveLength(0);
      await confirm(t, { token, password: NEW_PASSWORD, otp: await currentTotp(secret) }).expect(409);
      expect(t.events.preReset).toHaveLength(1);
      // The veto came after a right code: that attempt was given back, the wrong one's stays.
      expect(await attemptsOf(t, jane.id)).toBe(1);
      await expectUnchanged(t, jane.id, token);
    });

    it('keeps refusing every field the verifier does not declare, and the declared ones outside confirm', async () => {
      const { t, jane, token, secret } = await enrolledJane();
      const otp = await currentTotp(secret);
      const unknown = await confirm(t, { token, password: NEW_PASSWORD, otp, webauthn: 'x' }).expect(400);
      expect(unknown.body.message).toEqual(['property webauthn should not exist']);
      const number = await confirm(t, { token, password: NEW_PASSWORD, otp: Number(otp) }).expect(400);
      expect(number.body.message).toEqual(['otp must be a string']);
      const long = await confirm(t, { token, password: NEW_PASSWORD, otp: '1'.repeat(8193) }).expect(400);
      expect(long.body.message).toEqual(['otp must be at most 8192 characters long']);
      const onValidate = await request(t.server).post(ROUTES.validate).send({ token, otp }).expect(400);
      expect(onValidate.body.message).toEqual(['property otp should not exist']);
      await expectUnchanged(t, jane.id, token);
      expect(await attemptsOf(t, jane.id)).toBe(0);
    });

    it.each([
      ['an array', ['123456'], 'otp must be a string'],
      ['an object', { code: '123456' }, 'otp must be a string'],
      ['NUL', '123\u0000456', 'otp must be valid UTF-8 text without NUL characters'],
      ['a lone surrogate', '123\ud800456', 'otp must be valid UTF-8 text without NUL characters'],
    ])('refuses a proof that is %s with a 400, counting nothing', async (_name, otp, reason) => {
      const { t, jane, token, verifier } = await enrolledJane();
      const refused = await confirm(t, { token, password: NEW_PASSWORD, otp }).expect(400);
      expect(refused.body.message).toEqual([reason]);
      await expectUnchanged(t, jane.id, token);
      expect(await attemptsOf(t, jane.id)).toBe(0);
      expect(verifier.verifications).toBe(0);
    });

    it('takes the proof through the service too (the API a GraphQL resolver calls)', async () => {
      const { t, jane, token, secret } = await enrolledJane();
      await expect(t.service.confirmReset(token, NEW_PASSWORD)).rejects.toBeInstanceOf(SecondFactorRequiredException);
      // Fields the verifier does not declare are not passed on to it.
      await expect(
        t.service.confirmReset(token, NEW_PASSWORD, undefined, {}, { webauthn: await currentTotp(secret) }),
      ).rejects.toMatchObject({ message: SECOND_FACTOR_REQUIRED_MESSAGE });
      expect(t.service.proofFields).toEqual(['otp', 'recoveryCode']);
      await t.service.confirmReset(token, NEW_PASSWORD, undefined, {}, { otp: await currentTotp(secret) });
      expect(await passwordWorks(t.dataSource, jane.id, NEW_PASSWORD)).toBe(true);
    });

    it('keeps the attempt of a proof whose verifier failed, and keeps the proof out of the error', async () => {
      class FailingVerifier extends SecondFactorVerifier {
        readonly proofFields = ['otp'];
        isEnrolled(): boolean {
          return true;
        }
        verify(_user: object, { otp }: SecondFactorProof): boolean {
          throw new Error(`the OTP service refused ${otp}`);
        }
      }
      const { t } = await start({ verifier: new FailingVerifier() });
      const jane = await createUser(t.dataSource);
      const token = await issueToken(t);
      const failure = t.service.confirmReset(token, NEW_PASSWORD, undefined, {}, { otp: '314159' });
      await expect(failure).rejects.toThrow('the OTP service refused [redacted]');
      expect(await attemptsOf(t, jane.id)).toBe(1);
    });
  });

  describe('validate_token with secondFactorOnValidation', () => {
    it('says secondFactorRequired: true for an enrolled user only, and nothing without the option', async () => {
      const { t, verifier } = await start({ options: { secondFactorOnValidation: true } });
      const jane = await createUser(t.dataSource);
      await createUser(t.dataSource, { email: 'john@example.com', username: 'john' });
      verifier.enrol(jane as User);
      const janes = await issueToken(t);
      const johns = await issueToken(t, { email: 'john@example.com' });
      await request(t.server)
        .post(ROUTES.validate)
        .send({ token: janes })
        .expect(200, { status: 'OK', secondFactorRequired: true });
      await request(t.server).post(ROUTES.validate).send({ token: johns }).expect(200, { status: 'OK' });

      const { t: quiet, verifier: quietVerifier } = await start();
      quietVerifier.enrol((await createUser(quiet.dataSource)) as User);
      const token = await issueToken(quiet);
      await request(quiet.server).post(ROUTES.validate).send({ token }).expect(200, { status: 'OK' });
    });

    it('adds it after the user details', async () => {
      const { t, verifier } = await start({
        options: { secondFactorOnValidation: true, userDetailsOnValidation: true },
      });
      verifier.enrol((await createUser(t.dataSource)) as User);
      const token = await issueToken(t);
      const answer = await request(t.server).post(ROUTES.validate).send({ token }).expect(200);
      expect(answer.text).toBe(
        JSON.stringify({ status: 'OK', username: 'jane', email: 'jane@example.com', secondFactorRequired: true }),
      );
    });
  });

  it('shares one attempt count with account-bound codes: wrong codes and wrong proofs add up to the cap', async () => {
    const { t, verifier } = await start({
      options: { tokenGenerator: new RandomNumberTokenGenerator(), tokenSecret: SECRET },
    });
    const jane = await createUser(t.dataSource);
    const secret = verifier.enrol(jane as User);
    const code = await issueToken(t);
    const email = 'jane@example.com';
    const wrongCode = code === '111111' ? '222222' : '111111';
    for (let n = 1; n <= 2; n++) {
      await request(t.server).post(ROUTES.validate).send({ token: wrongCode, email }).expect(404);
    }
    // The right code costs nothing; each wrong proof beside it costs one, and the fifth wrong guess revokes.
    for (let n = 3; n < CAP; n++) {
      await confirm(t, { token: code, email, password: NEW_PASSWORD, otp: await wrongTotp(secret, n) }).expect(403);
      expect(await attemptsOf(t, jane.id)).toBe(n);
    }
    await confirm(t, { token: code, email, password: NEW_PASSWORD, otp: await wrongTotp(secret, CAP) }).expect(404);
    await confirm(t, { token: code, email, password: NEW_PASSWORD, otp: await currentTotp(secret) }).expect(404);
    expect(await passwordWorks(t.dataSource, jane.id, OLD_PASSWORD)).toBe(true);
  });

  it("leaves an unenrolled user's flow as it is without a verifier, byte for byte", async () => {
    /** Every answer of one scripted flow: status, headers but `date`, and the body's text. */
    async function script(t: TestApp): Promise<[number, [string, string][], string][]> {
      await createUser(t.dataSource);
      const answers: request.Response[] = [];
      const post = async (route: string, body: object) => {
        answers.push(await request(t.server).post(route).send(body));
        await t.settle();
      };
      await post(ROUTES.request, { email: 'jane@example.com' });
      const token = t.events.created[0].token;
      await post(ROUTES.validate, { token });
      await post(ROUTES.validate, { token: 'no-such-token' });
      await post(ROUTES.confirm, { token, password: 'Short' });
      await post(ROUTES.confirm, { token, password: NEW_PASSWORD, extra: 'field' });
      await post(ROUTES.confirm, { token: 'no-such-token', password: NEW_PASSWORD });
      await post(ROUTES.confirm, { token, password: NEW_PASSWORD });
      await post(ROUTES.confirm, { token, password: NEW_PASSWORD });
      return answers.map((answer) => [
        answer.status,
        Object.entries(answer.headers as Record<string, string>).filter(([name]) => name.toLowerCase() !== 'date'),
        answer.text,
      ]);
    }
    const without = await script(await startApp({ options: { throttle: false } }));
    const { t, verifier } = await start({ options: { secondFactorOnValidation: true } });
    const withVerifier = await script(t);
    expect(withVerifier).toEqual(without);
    expect(without.map(([status]) => status)).toEqual([200, 200, 404, 400, 400, 404, 200, 404]);
    expect(verifier.enrolments).toBeGreaterThan(0);
    expect(verifier.verifications).toBe(0);
  });

  describe('start-up checks', () => {
    class FieldsVerifier extends SecondFactorVerifier {
      constructor(readonly proofFields: string[]) {
        super();
      }
      isEnrolled(): boolean {
        return false;
      }
      verify(): boolean {
        return false;
      }
    }

    it.each([
      [[], /SecondFactorVerifier\.proofFields must be a non-empty list of body field names/],
      [['one time code'], /SecondFactorVerifier\.proofFields must hold names of letters, digits and "_"/],
      [['password'], /SecondFactorVerifier\.proofFields must not name "password"/],
      [['email'], /SecondFactorVerifier\.proofFields must not name "email"/],
      [['otp', 'otp'], /SecondFactorVerifier\.proofFields lists a field twice/],
    ])('refuses proofFields %j, naming them', async (fields, message) => {
      await expect(start({ verifier: new FieldsVerifier(fields) })).rejects.toThrow(message);
    });

    it('refuses secondFactorOnValidation without a verifier, naming the option', async () => {
      await expect(startApp({ options: { secondFactorOnValidation: true } })).rejects.toThrow(
        /option "secondFactorOnValidation" needs a SecondFactorVerifier/,
      );
    });
  });
});
