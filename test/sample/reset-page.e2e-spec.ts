import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generateSecret } from 'otplib';
import { Browser, chromium, Page } from 'playwright-core';
import {
  postJson,
  resetLinkToken,
  SampleApp,
  SeedAccount,
  startSample,
  useSmtpSink,
} from '../fixtures/sample-process.js';
import { DB_ENGINE } from '../fixtures/test-database.js';
import { currentTotp, wrongTotp } from '../fixtures/totp-verifier.js';

/** Debian's Chromium (`apt-get install chromium`); Playwright never downloads a browser of its own here. */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../../docs/reset-page.png', import.meta.url));
const JANE: SeedAccount = {
  email: 'jane@example.com',
  username: 'jane',
  password: 'jane-old-secret-7',
  isActive: true,
};
/** An account with a second factor: the reset page asks for the code of its authenticator app. */
const MIA: SeedAccount = {
  email: 'mia@example.com',
  username: 'mia',
  password: 'mia-old-secret-7',
  isActive: true,
  totpSecret: generateSecret(),
};
const NEW_PASSWORD = 'Sunny-harbour-1987';
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; " +
  "base-uri 'none'; frame-ancestors 'none'";

const hasChromium = existsSync(CHROMIUM);
// CI sets REQUIRE_BROWSER=1: there a missing browser fails the suite instead of skipping it.
const browserRequired = process.env.REQUIRE_BROWSER === '1';
// The page talks to the API only: once, not once per database engine.
const runs = DB_ENGINE === 'sqlite' && (hasChromium || browserRequired);
if (DB_ENGINE === 'sqlite' && !runs) console.log(`browser suite skipped: ${CHROMIUM} not found`);

interface OpenedPage {
  page: Page;
  /** Every request the page made to an origin other than its own. */
  foreign: string[];
}

(runs ? describe : describe.skip)('sample app: the reset page in Chromium', () => {
  const sink = useSmtpSink();
  let browser: Browser;
  let sample: SampleApp;
  const opened: OpenedPage[] = [];
  /** The link base the sample mails by default. */
  const appUrl = (app: SampleApp) => `http://localhost:${app.port}/reset-password`;

  /** A fresh browser profile on `url`, watched for requests that leave the page's origin. */
  async function open(url: string): Promise<OpenedPage> {
    const context = await browser.newContext({ viewport: { width: 520, height: 380 } });
    const page = await context.newPage();
    const origin = new URL(url).origin;
    const entry: OpenedPage = { page, foreign: [] };
    page.on('request', (request) => {
      if (new URL(request.url()).origin !== origin) entry.foreign.push(request.url());
    });
    opened.push(entry);
    await page.goto(url);
    return entry;
  }

  async function mailedLink(app: SampleApp, mailNumber: number): Promise<string> {
    const mail = await sink().waitForMail(mailNumber);
    return `${appUrl(app)}?token=${resetLinkToken(mail.parsed.text, appUrl(app))}`;
  }

  async function expectInvalidState(page: Page): Promise<void> {
    await page.locator('#invalid').waitFor();
    expect(await page.locator('#invalid').textContent()).toBe('This link is no longer valid — request a new one.');
    expect(await page.locator('#request-form').isVisible()).toBe(true);
    expect(await page.locator('#reset-form').isVisible()).toBe(false);
  }

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`REQUIRE_BROWSER=1, but ${CHROMIUM} is not installed (apt-get install chromium)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    sample = await startSample({ seed: [JANE, MIA], env: sink().env });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('serves the page and its files with headers that keep the token in the URL to this page', async () => {
    for (const [path, type] of [
      ['reset-password?token=abc', 'text/html'],
      ['reset-password.js', 'text/javascript'],
      ['reset-password.css', 'text/css'],
    ]) {
      const response = await fetch(`${sample.url}/${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(response.headers.get('content-security-policy')).toBe(CSP);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('takes a person from "forgot password" through the mailed link to a new password that logs in', async () => {
    // Without a token: the request form.
    const { page } = await open(appUrl(sample));
    await page.locator('#request-form').waitFor();
    expect(await page.locator('#reset-form').isVisible()).toBe(false);
    const mails = sink().mails.length;
    await page.fill('#account', JANE.email);
    await page.click('#request-form button');
    await page.locator('#requested').waitFor();
    expect(await page.locator('#requested').textContent()).toBe('If an account exists, a link is on its way.');

    // The mailed link: the form, and the token already gone from the address bar.
    const link = await mailedLink(sample, mails + 1);
    const { page: form } = await open(link);
    await form.locator('#reset-form').waitFor();
    expect(form.url()).toBe(appUrl(sample));
    expect(await form.evaluate('window.location.search')).toBe('');
    // Jane has no second factor: no code is asked for.
    expect(await form.locator('#otp').isVisible()).toBe(false);

    await form.fill('#password', NEW_PASSWORD);
    await form.fill('#password-again', `${NEW_PASSWORD}!`);
    await form.click('#reset-form button');
    expect(await form.locator('#reset-errors').textContent()).toBe('The two passwords do not match.');

    // The validators' reasons, as the API gives them.
    await form.fill('#password', '12345678');
    await form.fill('#password-again', '12345678');
    await form.click('#reset-form button');
    await form.locator('#reset-errors li').first().waitFor();
    expect(await form.locator('#reset-errors li').allTextContents()).toEqual([
      'This password is too common.',
      'This password is entirely numeric.',
      'This password is a sequence of characters, like abcdefgh or 12345678.',
    ]);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await form.screenshot({ path: SCREENSHOT });

    // Held back a moment on its way (and passed on unchanged), so the disabled form can be seen.
    await form.route('**/api/password_reset/confirm/', async (route) => {
      await sleep(800);
      await route.continue();
    });
    await form.fill('#password', NEW_PASSWORD);
    await form.fill('#password-again', NEW_PASSWORD);
    await form.click('#reset-form button');
    expect(await form.locator('#reset-form button').isDisabled()).toBe(true);
    expect(await form.locator('#password').isDisabled()).toBe(true);
    await form.locator('#done').waitFor();
    expect(await form.locator('#done .success').textContent()).toBe('Your password has been changed.');
    expect(await form.locator('#done').textContent()).toContain('POST /auth/login');

    const login = (password: string) => postJson(`${sample.url}/auth/login`, { email: JANE.email, password });
    expect((await login(NEW_PASSWORD)).status).toBe(200);
    expect((await login(JANE.password!)).status).toBe(401);

    // The same link again: used up.
    await expectInvalidState((await open(link)).page);
  }, 60_000);

  it('asks an account with a second factor for its TOTP code, and resets only with the current one', async () => {
    const secret = MIA.totpSecret!;
    const login = (password: string) => postJson(`${sample.url}/auth/login`, { email: MIA.email, password });
    const mails = sink().mails.length;
    expect((await postJson(`${sample.url}/api/password_reset/`, { email: MIA.email })).status).toBe(200);
    const { page: form } = await open(await mailedLink(sample, mails + 1));
    await form.locator('#reset-form').waitFor();
    // validate_token said secondFactorRequired: the field is there before the new password is typed.
    expect(await form.locator('#otp').isVisible()).toBe(true);
    expect(await form.locator('#otp-label').textContent()).toBe('Code from your authenticator app');
    expect(await form.locator('#otp').getAttribute('autocomplete')).toBe('one-time-code');

    await form.fill('#password', NEW_PASSWORD);
    await form.fill('#password-again', NEW_PASSWORD);
    await form.fill('#otp', await wrongTotp(secret));
    await form.click('#reset-form button');
    await form.locator('#reset-errors li').first().waitFor();
    expect(await form.locator('#reset-errors li').allTextContents()).toEqual([
      'The second factor could not be verified.',
    ]);
    // Refused: the old password still logs in, and the same form (the same link) may try again.
    expect((await login(MIA.password!)).status).toBe(200);
    expect(await form.locator('#reset-form').isVisible()).toBe(true);

    await form.fill('#otp', await currentTotp(secret));
    await form.click('#reset-form button');
    await form.locator('#done').waitFor();
    expect((await login(NEW_PASSWORD)).status).toBe(200);
    expect((await login(MIA.password!)).status).toBe(401);
  }, 60_000);

  it('shows the invalid state for an expired link', async () => {
    const shortLived = await startSample({
      seed: [JANE],
      env: { ...sink().env, TOKEN_TTL_SECONDS: '1' },
    });
    const mails = sink().mails.length;
    expect((await postJson(`${shortLived.url}/api/password_reset/`, { email: JANE.email })).status).toBe(200);
    const link = await mailedLink(shortLived, mails + 1);
    await sleep(2_100);
    await expectInvalidState((await open(link)).page);
  }, 60_000);

  it('made no request to any other origin', () => {
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.flatMap(({ foreign }) => foreign)).toEqual([]);
  });
});
