import { describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import request from 'supertest';
import { passwordResetResolver } from '../../lib/graphql.js';
import { HttpRequestLike, PasswordResetLocaleResolver, SecondFactorVerifier } from '../../lib/index.js';
import { graphQLModule, PingResolver } from '../fixtures/graphql.js';
import { closingTestApps, issueToken, ROUTES } from '../fixtures/reset-requests.js';
import { createUser, TestApp } from '../fixtures/test-app.js';
import { TotpTestVerifier, wrongTotp } from '../fixtures/totp-verifier.js';
import type { User } from '../fixtures/user.entity.js';

/** The same malformed request (`email` no address), and the language its 400 must come back in. */
const INVALID_EMAIL = [
  { acceptLanguage: 'pt-BR', reason: 'email deve ser um endereço de e-mail' },
  { acceptLanguage: 'de', reason: 'email muss eine E-Mail-Adresse sein' },
  { acceptLanguage: 'fr;q=0.9, es;q=0.8', reason: 'email doit être une adresse e-mail' },
  { acceptLanguage: 'es;q=0.5, de;q=0.2, fr;q=0', reason: 'email debe ser una dirección de correo electrónico' },
  { acceptLanguage: 'pt-PT', reason: 'email deve ser um endereço de e-mail' },
  { acceptLanguage: 'tlh, x-klingon;q=0.9', reason: 'email must be an email address' },
  { acceptLanguage: undefined, reason: 'email must be an email address' },
];

const INVALID_TOKEN = {
  'pt-BR': 'O token de redefinição de senha é inválido ou expirou.',
  de: 'Der Token zum Zurücksetzen des Passworts ist ungültig oder abgelaufen.',
  fr: 'Le jeton de réinitialisation du mot de passe est invalide ou a expiré.',
  es: 'El token para restablecer la contraseña no es válido o ha caducado.',
  en: 'The password reset token is invalid or has expired.',
};

function post(t: TestApp, route: string, acceptLanguage: string | undefined) {
  const call = request(t.server).post(route);
  return acceptLanguage === undefined ? call : call.set('Accept-Language', acceptLanguage);
}

describe('messages in the caller language', () => {
  const app = closingTestApps();

  it('answers the same bad request in the language Accept-Language picks, English when none fits', async () => {
    const t = await app();
    for (const { acceptLanguage, reason } of INVALID_EMAIL) {
      const response = await post(t, ROUTES.request, acceptLanguage).send({ email: 'not an address' }).expect(400);
      expect({ acceptLanguage, body: response.body }).toEqual({
        acceptLanguage,
        body: { statusCode: 400, message: [reason], error: 'Bad Request' },
      });
    }
  });

  it('gives every bad token one 404 per language, and known and unknown accounts the same bytes', async () => {
    const t = await app();
    await createUser(t.dataSource);
    const used = await issueToken(t);
    await request(t.server).post(ROUTES.confirm).send({ token: used, password: 'Tr1cky-new-passphrase' }).expect(200);
    for (const [locale, message] of Object.entries(INVALID_TOKEN)) {
      const bodies = new Set<string>();
      for (const token of [used, 'never-issued-token-value', '\u0000bad']) {
        const response = await post(t, ROUTES.validate, locale).send({ token }).expect(404);
        bodies.add(response.text);
      }
      expect(bodies.size).toBe(1);
      expect(JSON.parse([...bodies][0])).toEqual({ statusCode: 404, message, error: 'Not Found' });
      const known = await post(t, ROUTES.request, locale).send({ email: 'jane@example.com' }).expect(200);
      const unknown = await post(t, ROUTES.request, locale).send({ email: 'nobody@example.com' }).expect(200);
      expect(unknown.text).toBe(known.text);
      expect(Object.keys(known.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
    }
  });

  it("refuses a weak password with the validators' reasons in the caller's language", async () => {
    const t = await app();
    await createUser(t.dataSource);
    const token = await issueToken(t);
    const response = await post(t, ROUTES.confirm, 'de-AT, en;q=0.5').send({ token, password: '1234' }).expect(400);
    expect(response.body.message).toEqual([
      'Dieses Passwort ist zu kurz. Es muss mindestens 8 Zeichen enthalten.',
      'Dieses Passwort ist zu gebräuchlich.',
      'Dieses Passwort besteht nur aus Ziffern.',
      'Dieses Passwort ist eine Zeichenfolge wie abcdefgh oder 12345678.',
    ]);
  });

  it('answers 429 in the caller language', async () => {
    const t = await app({ options: { throttle: { request: { limit: 1, ttl: 60 }, account: false } } });
    await post(t, ROUTES.request, 'fr').send({ email: 'a@example.com' }).expect(200);
    const response = await post(t, ROUTES.request, 'fr').send({ email: 'a@example.com' }).expect(429);
    expect(response.body.message).toBe('Trop de demandes. Veuillez réessayer plus tard.');
  });

  it('gives the locale to TokenCreated through the queue, and to PreReset and PostReset', async () => {
    const t = await app();
    await createUser(t.dataSource);
    // One at a time: the queue starts each request after a random delay.
    await post(t, ROUTES.request, 'pt-BR,pt;q=0.9').send({ email: 'jane@example.com' }).expect(200);
    await t.settle();
    await post(t, ROUTES.request, undefined).send({ email: 'jane@example.com' }).expect(200);
    await t.settle();
    expect(t.events.created.map((event) => event.locale)).toEqual(['pt-BR', 'en']);
    const { token } = t.events.created[1];
    await post(t, ROUTES.confirm, 'es').send({ token, password: 'Tr1cky-new-passphrase' }).expect(200);
    expect(t.events.preReset.map((event) => event.locale)).toEqual(['es']);
    expect(t.events.postReset.map((event) => event.locale)).toEqual(['es']);
  });

  it('takes defaultLocale, translations over the shipped catalogues, and new locales', async () => {
    const t = await app({
      options: {
        defaultLocale: 'de',
        messages: { invalidEmail: (field) => `${field}: keine Adresse` },
        translations: { 'pt-br': { invalidEmail: 'endereço inválido' }, it: { invalidEmail: "non è un'email" } },
      },
    });
    const reasons: unknown[] = [];
    for (const language of [undefined, 'ja', 'pt-BR', 'it-CH', 'en']) {
      reasons.push((await post(t, ROUTES.request, language).send({ email: 'x' }).expect(400)).body.message[0]);
    }
    expect(reasons).toEqual([
      'email: keine Adresse',
      'email: keine Adresse',
      'endereço inválido',
      "non è un'email",
      'email must be an email address',
    ]);
    // A new locale's other messages are English.
    const response = await post(t, ROUTES.request, 'it').send({}).expect(400);
    expect(response.body.message).toEqual(['email should not be empty']);
  });

  it('lets a PasswordResetLocaleResolver of the app choose the language', async () => {
    @Injectable()
    class CookieLocaleResolver extends PasswordResetLocaleResolver {
      resolve(request: HttpRequestLike): string | undefined {
        const cookie = request.headers.cookie;
        return /(?:^|; )lang=([\w-]+)/.exec(typeof cookie === 'string' ? cookie : '')?.[1];
      }
    }
    const t = await app({
      extras: { extraProviders: [{ provide: PasswordResetLocaleResolver, useClass: CookieLocaleResolver }] },
    });
    const answer = (cookie?: string) =>
      (cookie ? post(t, ROUTES.validate, 'de').set('Cookie', cookie) : post(t, ROUTES.validate, 'de'))
        .send({ token: 'nope' })
        .expect(404)
        .then((response) => response.body.message as string);
    expect(await answer('lang=fr-CA')).toBe(INVALID_TOKEN.fr);
    // The header is not read at all by this resolver; no cookie is the default locale.
    expect(await answer()).toBe(INVALID_TOKEN.en);
  });

  it('fails the boot on a default locale no catalogue has, and on a translation of an unknown key', async () => {
    await expect(app({ options: { defaultLocale: 'ja' } })).rejects.toThrow(
      'option "defaultLocale" must be a shipped locale (en, pt-BR, es, de, fr) or one of "translations" (got "ja")',
    );
    await expect(app({ options: { translations: { fr: { nope: 'x' } as never } } })).rejects.toThrow(
      'unknown option "translations.fr.nope"',
    );
    await expect(app({ options: { translations: { 'not a tag': {} } } })).rejects.toThrow(
      'option "translations" must be',
    );
  });

  it('answers the GraphQL mutations in the caller language too: 404, 400 reasons, 429 and one field per request', async () => {
    const t = await app({
      imports: [graphQLModule()],
      providers: [PingResolver],
      extras: { extraProviders: [passwordResetResolver()] },
      options: { throttle: { token: { limit: 2, ttl: 60 } } },
    });
    const gql = (query: string, acceptLanguage: string) =>
      request(t.server)
        .post('/graphql')
        .set('content-type', 'application/json')
        .set('Accept-Language', acceptLanguage)
        .send(JSON.stringify({ query }))
        .then((response) => response.body as { errors: { message: string; extensions: { reasons?: string[] } }[] });
    const validate = 'mutation { validatePasswordResetToken(token: "nope") { status } }';
    expect((await gql(validate, 'pt-BR')).errors[0].message).toBe(INVALID_TOKEN['pt-BR']);
    const badEmail = await gql('mutation { requestPasswordReset(email: "x") { status } }', 'es');
    expect(JSON.stringify(badEmail.errors[0])).toContain('email debe ser una dirección de correo electrónico');
    const twice = await gql(
      'mutation { a: requestPasswordReset(email: "a@example.com") { status } b: requestPasswordReset(email: "b@example.com") { status } }',
      'de',
    );
    expect(twice.errors.map((error) => error.message)).toEqual([
      'pro Anfrage ist nur eine Mutation zum Zurücksetzen des Passworts erlaubt',
    ]);
    expect((await gql(validate, 'fr')).errors[0].message).toBe(INVALID_TOKEN.fr);
    expect((await gql(validate, 'fr')).errors[0].message).toBe('Trop de demandes. Veuillez réessayer plus tard.');
  });

  it("refuses a confirm without or with a wrong second factor in the caller's language (403)", async () => {
    const verifier = new TotpTestVerifier();
    const t = await app({ extras: { extraProviders: [{ provide: SecondFactorVerifier, useValue: verifier }] } });
    const secret = verifier.enrol((await createUser(t.dataSource)) as User, []);
    const token = await issueToken(t);
    const confirm = (body: object) =>
      post(t, ROUTES.confirm, 'pt-BR')
        .send({ token, password: 'Tr1cky-new-passphrase', ...body })
        .expect(403)
        .then((response) => response.body.message as string);
    expect(await confirm({})).toBe('É necessário um segundo fator para redefinir esta senha.');
    expect(await confirm({ otp: await wrongTotp(secret) })).toBe('Não foi possível verificar o segundo fator.');
  });
});
