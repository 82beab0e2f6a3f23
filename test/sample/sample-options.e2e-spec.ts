import { beforeAll, describe, expect, it } from '@jest/globals';
import { runInNewContext } from 'node:vm';
import {
  postJson,
  resetLinkToken,
  SampleApp,
  SeedAccount,
  startSample,
  useSmtpSink,
  withSampleDatabase,
} from '../fixtures/sample-process.js';
import { waitUntil } from '../fixtures/wait-until.js';

const APP_URL = 'https://app.example.test/reset-password';
const NEW_PASSWORD = 'Tr1cky-new-passphrase';
const JANE: SeedAccount = {
  email: 'jane@example.com',
  username: 'Jane_D',
  password: 'jane-old-secret-7',
  isActive: true,
};
const OK = { status: 200, body: { status: 'OK' } };

const api = (sample: SampleApp, path = '') => `${sample.url}/api/password_reset/${path}`;
const login = (sample: SampleApp, email: string, password: string) =>
  postJson(`${sample.url}/auth/login`, { email, password }).then((response) => response.status);

const sink = useSmtpSink();

const TOKEN_TTL_SECONDS = 900;

/** The stored token's lifetime in ms; with `expireNow`, its expiry is first moved into the past, as time would. */
function storedTokenLifetime(sample: SampleApp, expireNow = false): Promise<number> {
  return withSampleDatabase(sample.databaseUrl, async (db) => {
    const column = (name: string) => db.driver.escape(name);
    const table = db.driver.escape('password_reset_tokens');
    if (expireNow) await db.query(`UPDATE ${table} SET ${column('expiresAt')} = ${Date.now() - 60_000}`);
    const rows: { created: string | number; expires: string | number }[] = await db.query(
      `SELECT ${column('createdAt')} AS created, ${column('expiresAt')} AS expires FROM ${table}`,
    );
    if (rows.length !== 1) throw new Error(`expected one token row, found ${rows.length}`);
    return Number(rows[0].expires) - Number(rows[0].created);
  });
}

interface PageElement {
  hidden?: boolean;
  value?: string;
  textContent?: string;
  dataset: Record<string, string>;
  listeners: Record<string, (event: object) => void>;
}

/**
 * Runs the reset page's script as served, against the elements of the page as served, in a bare DOM stand-in
 * (no browser here: the Chromium suite drives the real page), with `fetch` going to the sample.
 */
async function openResetPage(sample: SampleApp): Promise<Record<string, PageElement>> {
  const html = await (await fetch(`${sample.url}/reset-password`)).text();
  const script = await (await fetch(`${sample.url}/reset-password.js`)).text();
  const elements: Record<string, PageElement> = {};
  for (const [tag, id] of html.matchAll(/<[a-z]+ [^>]*id="([\w-]+)"[^>]*>/g)) {
    const dataset = Object.fromEntries(
      [...tag.matchAll(/data-([\w-]+)="([^"]*)"/g)].map(([, key, value]) => [
        key.replace(/-(\w)/g, (_, char: string) => char.toUpperCase()),
        value,
      ]),
    );
    const element = {
      dataset,
      listeners: {} as PageElement['listeners'],
      addEventListener: (type: string, listener: () => void) => (element.listeners[type] = listener),
      querySelector: () => ({}),
      replaceChildren: () => {},
      reset: () => {},
    };
    elements[id] = element;
  }
  const window = {
    location: { href: `${sample.url}/reset-password`, pathname: '/reset-password' },
    history: { replaceState: () => {} },
  };
  const document = { getElementById: (id: string) => elements[id], createElement: () => ({}) };
  const pageFetch = (path: string, init: RequestInit) => fetch(new URL(path, sample.url), init);
  runInNewContext(script, { window, document, fetch: pageFetch, URL });
  return elements;
}

describe('sample app: LOOKUP_FIELD, NO_INFORMATION_LEAKAGE and TOKEN_TTL_SECONDS', () => {
  let sample: SampleApp;
  beforeAll(async () => {
    sample = await startSample({
      seed: [JANE],
      env: {
        ...sink().env,
        APP_URL,
        LOOKUP_FIELD: 'username',
        NO_INFORMATION_LEAKAGE: 'false',
        TOKEN_TTL_SECONDS: String(TOKEN_TTL_SECONDS),
      },
    });
  }, 180_000);

  it('LOOKUP_FIELD=username: takes {username}, in any case, and mails the account', async () => {
    const before = sink().mails.length;
    expect(await postJson(api(sample), { username: 'jane_d' })).toEqual(OK);
    const mail = await sink().waitForMail(before + 1);
    expect(mail.recipients).toEqual([JANE.email]);
    expect((await postJson(api(sample), { email: JANE.email })).status).toBe(400);
  });

  it("LOOKUP_FIELD=username: the reset page's forgot-password form asks for the username and sends it", async () => {
    const page = await openResetPage(sample);
    expect(page['account-label'].textContent).toBe('Username');
    const before = sink().mails.length;
    page.account.value = JANE.username!;
    page['request-form'].listeners.submit({ preventDefault: () => {} });
    await waitUntil(
      () => page.requested.hidden === false || page['request-errors'].hidden === false,
      10_000,
      'an answer',
    );
    expect(page.requested.hidden).toBe(false);
    expect((await sink().waitForMail(before + 1)).recipients).toEqual([JANE.email]);
  });

  it('NO_INFORMATION_LEAKAGE=false: an unknown account is a 400', async () => {
    const response = await postJson(api(sample), { username: 'nobody' });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toContain('username');
  });

  // A long TTL and an expiry moved in the database: no race between the mail's delivery and a two-second clock.
  it(`TOKEN_TTL_SECONDS=${TOKEN_TTL_SECONDS}: the token lives that long, and the link stops working once it expired`, async () => {
    const before = sink().mails.length;
    await postJson(api(sample), { username: JANE.username });
    const token = resetLinkToken((await sink().waitForMail(before + 1)).parsed.text, APP_URL);
    expect(await storedTokenLifetime(sample)).toBe(TOKEN_TTL_SECONDS * 1000);
    expect(await postJson(api(sample, 'validate_token/'), { token })).toEqual(OK);
    await storedTokenLifetime(sample, true);
    expect((await postJson(api(sample, 'validate_token/'), { token })).status).toBe(404);
    expect((await postJson(api(sample, 'confirm/'), { token, password: NEW_PASSWORD })).status).toBe(404);
    expect(await login(sample, JANE.email, JANE.password!)).toBe(200);
  });
});

describe('sample app: the README path (no SMTP_HOST, no SEED_FILE, default APP_URL)', () => {
  let sample: SampleApp;
  beforeAll(async () => {
    sample = await startSample();
  }, 180_000);

  it('shows the demo account, prints the mail with the link, and the reset works', async () => {
    const line = sample
      .stdout()
      .split('\n')
      .find((text) => text.startsWith('Sample listening on'))!;
    expect(line).toContain(`POST http://localhost:${sample.port}/api/password_reset/ {"email": "demo@example.com"}`);
    expect(line).toContain('reset mails are printed here');
    const demoPassword = /password "([^"]+)"/.exec(line)![1];
    expect(await login(sample, 'demo@example.com', demoPassword)).toBe(200);

    expect(await postJson(api(sample), { email: 'demo@example.com' })).toEqual(OK);
    const appUrl = `http://localhost:${sample.port}/reset-password`;
    await waitUntil(() => sample.stdout().includes(`${appUrl}?token=`), 10_000, 'the printed mail');
    expect(sample.stdout()).toContain('To: demo@example.com');
    const token = resetLinkToken(sample.stdout(), appUrl);

    expect(await postJson(api(sample, 'validate_token/'), { token })).toEqual(OK);
    expect(await postJson(api(sample, 'confirm/'), { token, password: NEW_PASSWORD })).toEqual(OK);
    expect(await login(sample, 'demo@example.com', NEW_PASSWORD)).toBe(200);
    expect(await login(sample, 'demo@example.com', demoPassword)).toBe(401);
  });
});

describe('sample app: SEED_FILE on a shared database', () => {
  it('leaves existing accounts as they are when another instance seeds the same file', async () => {
    const env = { ...sink().env, APP_URL };
    const first = await startSample({ seed: [JANE], env });
    const before = sink().mails.length;
    await postJson(api(first), { email: JANE.email });
    const token = resetLinkToken((await sink().waitForMail(before + 1)).parsed.text, APP_URL);
    expect(await postJson(api(first, 'confirm/'), { token, password: NEW_PASSWORD })).toEqual(OK);

    const newcomer: SeedAccount = {
      email: 'new@example.com',
      username: 'newcomer',
      password: 'newcomer-secret-7',
      isActive: true,
    };
    const second = await startSample({ seed: [JANE, newcomer], databaseUrl: first.databaseUrl });
    expect(await login(second, JANE.email, NEW_PASSWORD)).toBe(200);
    expect(await login(second, JANE.email, JANE.password!)).toBe(401);
    expect(await login(first, newcomer.email, newcomer.password!)).toBe(200);
    await second.stop();
  }, 180_000);
});
