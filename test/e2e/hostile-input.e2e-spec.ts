import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import request from 'supertest';
import { ResetTokenRecord, ResetTokenStore } from '../../lib/index.js';
import { foldIdentifier } from '../../lib/utils/identifier.util.js';
import { databaseState, INVALID_TOKEN_BODY, NEW_PASSWORD, ROUTES, tokenRowsOf } from '../fixtures/reset-requests.js';
import { parseHttpAdapter } from '../fixtures/http-adapter.js';
import { createTestApp, createUser, passwordWorks, TestApp, tokenRows } from '../fixtures/test-app.js';
import { User } from '../fixtures/user.entity.js';

/**
 * Every hostile body is a mutation of a request that would change something if it were accepted (a token for
 * a real account, a password reset with a live token), so "nothing changed" proves it was refused.
 */
type Route = keyof typeof ROUTES;
type Body = Record<string, unknown>;

const JANE = { email: 'jane@example.com', username: 'jane', plainPassword: 'correct horse battery' };
const BOB = { email: 'bob@example.com', username: 'bob', plainPassword: 'staple gun orbit' };
/** Node's default --max-http-header-size: the whole header block, request line included. */
const NODE_HEADER_LIMIT = 16 * 1024;
/** Over Fastify's default body limit (1 MiB), and so over Express's (100 kb) too. */
const OVERSIZED = 1024 * 1024 + 1;

/**
 * Where the platform's body parser answers before the module sees the body, and the two differ. Each answer is a
 * refusal that changes nothing; the module's own checks answer alike on both.
 */
const PARSER_ANSWERS = {
  express: {
    unsupportedType: 400,
    foreignCharset: 415,
    utf16Charset: 200,
    tooManyFormKeys: 413,
    formProtoKey: 200,
    mislabelledGzip: 400,
  },
  // Fastify has no parser for other types, ignores the charset (so non-UTF-8 bytes reach the module's check) and
  // Content-Encoding, keeps bracketed form keys as they are and puts no limit on their number (the module then
  // refuses the unknown ones).
  fastify: {
    unsupportedType: 415,
    foreignCharset: 400,
    utf16Charset: 400,
    tooManyFormKeys: 400,
    formProtoKey: 400,
    mislabelledGzip: 200,
  },
}[parseHttpAdapter(process.env.HTTP_ADAPTER)];

describe('hostile input', () => {
  let t: TestApp;
  let janeId: number;
  let bobId: number;
  let janePassword = JANE.plainPassword;
  /** Jane's live token; replaced when a valid random confirm uses it up. */
  let liveToken: string;

  beforeAll(async () => {
    // Throttling has suites of its own; here every request must reach the body checks.
    t = await createTestApp({ options: { ipAddressHeader: 'x-forwarded-for', throttle: false } });
    janeId = (await createUser(t.dataSource, JANE)).id;
    bobId = (await createUser(t.dataSource, BOB)).id;
    liveToken = await issueLiveToken();
  });
  afterAll(async () => t.close());

  async function issueLiveToken(): Promise<string> {
    const jane = await t.dataSource.getRepository(User).findOneByOrFail({ id: janeId });
    return (await t.service.issueTokenFor(jane)).token;
  }

  /** The valid body each hostile case starts from. */
  function validBody(route: Route): Body {
    if (route === 'request') return { email: JANE.email };
    if (route === 'validate') return { token: liveToken };
    return { token: liveToken, password: NEW_PASSWORD };
  }

  const FIELDS: Record<Route, string[]> = { request: ['email'], validate: ['token'], confirm: ['token', 'password'] };
  /** A token string that can never be valid is answered like an unknown token (the README's HTTP contract); other fields get a 400. */
  const malformedStatus = (field: string) => (field === 'token' ? 404 : 400);
  const ROUTE_NAMES = Object.keys(FIELDS) as Route[];
  const ROUTE_FIELDS = ROUTE_NAMES.flatMap((route) => FIELDS[route].map((field) => [route, field] as const));

  const post = (route: Route) => request(t.server).post(ROUTES[route]);
  const postJsonText = (route: Route, text: string) => post(route).set('content-type', 'application/json').send(text);
  const postRaw = (route: Route, bytes: Buffer, contentType: string) =>
    post(route)
      .set('content-type', contentType)
      .serialize((data: unknown) => data as string)
      .send(bytes as unknown as string);
  /** Form encoding of flat string pairs, keys kept verbatim (so brackets reach the parser unescaped). */
  const form = (pairs: [string, string][]) =>
    pairs.map(([key, value]) => `${key}=${encodeURIComponent(value)}`).join('&');
  const pairsOf = (body: Body) => Object.entries(body).map(([key, value]) => [key, String(value)] as [string, string]);

  /**
   * Sends, expects `status` with Nest's error body, then proves nothing happened: both tables as before,
   * both passwords still log in, Jane's token still validates, and no prototype was polluted.
   */
  async function expectRefused(send: () => request.Test, status = 400): Promise<void> {
    const before = await databaseState(t);
    const response = await send();
    await t.settle();
    expect(response.status).toBe(status);
    if (status === 404) {
      expect(response.body).toEqual(INVALID_TOKEN_BODY);
    } else if (status !== 431) {
      // 431 comes from Node's HTTP parser, which closes the connection without a body.
      expect(response.body).toMatchObject({ statusCode: status, message: expect.anything() });
    }
    expect(await databaseState(t)).toEqual(before);
    expect(await passwordWorks(t.dataSource, janeId, janePassword)).toBe(true);
    expect(await passwordWorks(t.dataSource, bobId, BOB.plainPassword)).toBe(true);
    await expect(t.service.validateToken(liveToken)).resolves.toBeDefined();
    expect(({} as Body).isAdmin).toBeUndefined();
  }

  /**
   * For a hostile body around a valid request for Bob, which a platform's parser may reduce to just that request:
   * either refused with nothing changed, or exactly Bob's one legitimate token issued and nothing else changed.
   */
  async function expectRefusedOrBobsTokenOnly(send: () => request.Test, status: number): Promise<void> {
    const before = await databaseState(t);
    const events = t.events.created.length;
    const response = await send();
    await t.settle();
    expect(response.status).toBe(status);
    const after = await databaseState(t);
    const created = t.events.created.slice(events);
    const notBobs = (rows: ResetTokenRecord[]) => rows.filter((row) => row.userId !== bobId);
    expect(after.users).toEqual(before.users);
    expect(notBobs(after.rows)).toEqual(notBobs(before.rows));
    if (status === 200) {
      expect(created.map((event) => (event.user as User).id)).toEqual([bobId]);
      expect(created[0].user).not.toHaveProperty('isAdmin');
      expect(after.rows.filter((row) => row.userId === bobId).map((row) => row.id)).toEqual([created[0].resetToken.id]);
      await expect(t.service.validateToken(created[0].token)).resolves.toBeDefined();
    } else {
      expect(response.body).toMatchObject({ statusCode: status, message: expect.anything() });
      expect(created).toEqual([]);
      expect(after.rows).toEqual(before.rows);
    }
    expect(await passwordWorks(t.dataSource, bobId, BOB.plainPassword)).toBe(true);
    expect(({} as Body).isAdmin).toBeUndefined();
  }

  describe('body size', () => {
    it.each(ROUTE_NAMES)('refuses a JSON body over 1 MiB on %s with 413', async (route) => {
      await expectRefused(() => post(route).send({ ...validBody(route), padding: 'x'.repeat(OVERSIZED) }), 413);
    });

    it.each(ROUTE_NAMES)('refuses a form body over 1 MiB on %s with 413', async (route) => {
      const pairs: [string, string][] = [...pairsOf(validBody(route)), ['padding', 'x'.repeat(OVERSIZED)]];
      await expectRefused(() => post(route).type('form').send(form(pairs)), 413);
    });
  });

  describe('field limits', () => {
    it('refuses an email over 254 characters', async () => {
      const email = `${'a'.repeat(255 - '@example.com'.length)}@example.com`;
      await expectRefused(() => post('request').send({ email }));
    });

    it.each(['validate', 'confirm'] as Route[])(
      'answers a token over 256 characters on %s as unknown',
      async (route) => {
        await expectRefused(() => post(route).send({ ...validBody(route), token: liveToken.padEnd(257, 'A') }), 404);
      },
    );

    it('refuses a password over 4096 characters, keeping the token', async () => {
      await expectRefused(() =>
        post('confirm').send({ token: liveToken, password: `${NEW_PASSWORD}-`.padEnd(4097, 'x') }),
      );
    });

    it("refuses a password over bcrypt's 72 bytes, counted in UTF-8 not in characters", async () => {
      // 38 characters, 74 bytes: bcrypt would silently drop the end.
      await expectRefused(() => post('confirm').send({ token: liveToken, password: `Zw${'ä'.repeat(36)}` }));
    });
  });

  describe('types and shape', () => {
    const WRONG_VALUES: [string, unknown][] = [
      ['a number', 42],
      ['an array', ['jane@example.com']],
      ['an object', { value: 'jane@example.com' }],
      ['null', null],
      ['a boolean', true],
      ['an empty string', ''],
      ['only whitespace', ' \t\n'],
    ];
    const cases = ROUTE_FIELDS.flatMap(([route, field]) =>
      WRONG_VALUES.map(([label, value]) => [route, field, label, value] as const),
    );

    it.each(cases)('%s: refuses %s as %s', async (route, field, _, value) => {
      await expectRefused(() => post(route).send({ ...validBody(route), [field]: value }));
    });

    it.each(ROUTE_FIELDS)('%s: refuses a body without %s', async (route, field) => {
      const { [field]: _, ...rest } = validBody(route);
      await expectRefused(() => post(route).send(rest));
    });

    it.each(ROUTE_NAMES)('%s: refuses an extra field', async (route) => {
      await expectRefused(() => post(route).send({ ...validBody(route), isAdmin: true }));
    });

    it.each(ROUTE_NAMES)('%s: refuses a JSON array, string, number and null as the body', async (route) => {
      for (const text of [JSON.stringify([validBody(route)]), '"jane@example.com"', '42', 'null', '[]']) {
        await expectRefused(() => postJsonText(route, text));
      }
    });
  });

  describe('prototype keys', () => {
    const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];

    it.each(ROUTE_NAMES.flatMap((route) => PROTO_KEYS.map((key) => [route, key] as const)))(
      '%s: refuses a JSON body with a %s key',
      async (route, key) => {
        // Written as text: an object literal's __proto__ would set the prototype instead of a key.
        const text = `${JSON.stringify(validBody(route)).slice(0, -1)},"${key}":{"isAdmin":true,"prototype":{"isAdmin":true}}}`;
        await expectRefused(() => postJsonText(route, text));
      },
    );

    it.each(ROUTE_NAMES)('%s: never reads the fields through a JSON __proto__', async (route) => {
      await expectRefused(() => postJsonText(route, `{"__proto__":${JSON.stringify(validBody(route))}}`));
    });

    it.each(ROUTE_NAMES)('%s: never reads the fields through a form __proto__ or constructor', async (route) => {
      for (const wrap of ['__proto__[%]', 'constructor[prototype][%]']) {
        const pairs = pairsOf(validBody(route)).map(
          ([key, value]) => [wrap.replace('%', key), value] as [string, string],
        );
        await expectRefused(() => post(route).type('form').send(form(pairs)));
      }
    });

    const FORM_KEYS = ['constructor[prototype][isAdmin]', 'prototype', 'prototype[isAdmin]'];
    it.each(ROUTE_NAMES.flatMap((route) => FORM_KEYS.map((key) => [route, key] as const)))(
      '%s: refuses a form body with a %s key',
      async (route, key) => {
        await expectRefused(() =>
          post(route)
            .type('form')
            .send(form([...pairsOf(validBody(route)), [key, 'true']])),
        );
      },
    );

    it('never lets a form __proto__[key] next to valid fields pollute or store anything', async () => {
      // Express's parser (qs) discards the key, leaving a valid request for Bob (200, his token only); Fastify's
      // keeps "__proto__[isAdmin]" as a plain key, which the module refuses as unknown (400).
      await expectRefusedOrBobsTokenOnly(
        () => post('request').type('form').send('email=bob%40example.com&__proto__[isAdmin]=true'),
        PARSER_ANSWERS.formProtoKey,
      );
    });
  });

  describe('text that is not clean UTF-8', () => {
    it.each(ROUTE_FIELDS)('%s: refuses a NUL character in %s (JSON and form)', async (route, field) => {
      const body = { ...validBody(route), [field]: `${validBody(route)[field] as string}\u0000` };
      await expectRefused(() => post(route).send(body), malformedStatus(field));
      await expectRefused(
        () =>
          post(route)
            .type('form')
            .send(form(pairsOf(body))),
        malformedStatus(field),
      );
    });

    it.each(ROUTE_FIELDS)('%s: refuses a lone surrogate ("\\ud800") in %s', async (route, field) => {
      const body = { ...validBody(route), [field]: `${validBody(route)[field] as string}@@SURROGATE@@` };
      const text = JSON.stringify(body).replace('@@SURROGATE@@', '\\ud800');
      await expectRefused(() => postJsonText(route, text), malformedStatus(field));
    });

    it.each(ROUTE_FIELDS)(
      '%s: refuses bytes that are not UTF-8 (0xff 0xfe) in %s (JSON and form)',
      async (route, field) => {
        const marker = '@@BYTES@@';
        const body = { ...validBody(route), [field]: `${validBody(route)[field] as string}${marker}` };
        const withBytes = (text: string) => {
          const [head, tail] = text.split(marker);
          return Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]);
        };
        await expectRefused(
          () => postRaw(route, withBytes(JSON.stringify(body)), 'application/json'),
          malformedStatus(field),
        );
        const formText = form(pairsOf(body)).replace(encodeURIComponent(marker), marker);
        await expectRefused(
          () => postRaw(route, withBytes(formText), 'application/x-www-form-urlencoded'),
          malformedStatus(field),
        );
      },
    );
  });

  describe('content types and malformed JSON', () => {
    const requestBody = JSON.stringify({ email: JANE.email });
    const multipart = `--x\r\nContent-Disposition: form-data; name="email"\r\n\r\n${JANE.email}\r\n--x--\r\n`;
    /** Jane's address with a Latin-1 byte in it (0xe4, "ä"), which is not UTF-8. */
    const latin1Body = Buffer.from(JSON.stringify({ email: JANE.email.replace('a', '\u00e4') }), 'latin1');
    it.each([
      ['text/plain', Buffer.from(`email=${JANE.email}`), 400],
      ['application/xml', Buffer.from(`<email>${JANE.email}</email>`), PARSER_ANSWERS.unsupportedType],
      ['application/octet-stream', Buffer.from(requestBody), PARSER_ANSWERS.unsupportedType],
      ['multipart/form-data; boundary=x', Buffer.from(multipart), PARSER_ANSWERS.unsupportedType],
      ['application/json; charset=latin1', latin1Body, PARSER_ANSWERS.foreignCharset],
      ['application/json; charset=nonsense', latin1Body, PARSER_ANSWERS.foreignCharset],
    ])('refuses a %s body', async (contentType, bytes, status) => {
      await expectRefused(() => postRaw('request', bytes, contentType), status);
    });

    it('reads a UTF-16LE body on Express (body-parser decodes every utf-* charset) and refuses it on Fastify', async () => {
      const before = await databaseState(t);
      const utf16 = Buffer.from(JSON.stringify({ email: 'nobody@example.com' }), 'utf16le');
      const answer = await postRaw('request', utf16, 'application/json; charset=utf-16le');
      await t.settle();
      expect(answer.status).toBe(PARSER_ANSWERS.utf16Charset);
      expect(await databaseState(t)).toEqual(before);
    });

    it('refuses a request without a body', async () => {
      await expectRefused(() => post('request'));
    });

    it('stores nothing but the legitimate token for a body whose Content-Encoding does not match it', async () => {
      // Express tries to gunzip the plain JSON (400); Fastify ignores Content-Encoding and reads it (200, Bob's token).
      await expectRefusedOrBobsTokenOnly(
        () => post('request').set('content-encoding', 'gzip').send({ email: BOB.email }),
        PARSER_ANSWERS.mislabelledGzip,
      );
    });

    it.each(ROUTE_NAMES)('%s: refuses malformed JSON', async (route) => {
      const text = JSON.stringify(validBody(route));
      for (const broken of [
        text.slice(0, -1),
        `${text.slice(0, -1)},}`,
        text.replaceAll('"', "'"),
        `${text}}`,
        '{',
        '',
      ]) {
        await expectRefused(() => postJsonText(route, broken));
      }
    });

    it('refuses JSON nested thousands of levels deep', async () => {
      await expectRefused(() => postJsonText('request', `{"email":${'['.repeat(5000)}${']'.repeat(5000)}}`));
    });

    it('refuses form bodies nested too deep or with too many parameters', async () => {
      await expectRefused(() =>
        post('request')
          .type('form')
          .send(`email${'[a]'.repeat(50)}=1`),
      );
      const manyKeys = Array.from({ length: 1500 }, (_, i) => `k${i}=1`).join('&');
      await expectRefused(() => post('request').type('form').send(manyKeys), PARSER_ANSWERS.tooManyFormKeys);
      // Where the module refuses them, it names a few rather than echoing 1500 keys back.
      const response = await post('request').type('form').send(manyKeys);
      expect(JSON.stringify(response.body).length).toBeLessThan(1024);
    });
  });

  describe('large headers', () => {
    afterEach(async () => {
      await t.app.get(ResetTokenStore).deleteAllOf(bobId);
    });

    it('accepts a user agent just under Node’s header limit and stores 512 characters of it', async () => {
      const userAgent = 'Mozilla/5.0 '.padEnd(NODE_HEADER_LIMIT - 1024, 'x');
      await post('request').set('user-agent', userAgent).send({ email: BOB.email }).expect(200, { status: 'OK' });
      await t.settle();
      const [row] = await tokenRowsOf(t, bobId);
      expect(row.userAgent).toBe(userAgent.slice(0, 512));
    });

    it('refuses headers over Node’s limit with 431 before the app runs', async () => {
      const userAgent = 'x'.repeat(NODE_HEADER_LIMIT + 1);
      await expectRefused(() => post('request').set('user-agent', userAgent).send({ email: BOB.email }), 431);
    });

    it('takes the first address of a 1000-item X-Forwarded-For list', async () => {
      const list = ['203.0.113.7', ...Array.from({ length: 999 }, (_, i) => `10.0.${i >> 8}.${i & 255}`)].join(', ');
      await post('request').set('x-forwarded-for', list).send({ email: BOB.email }).expect(200);
      await t.settle();
      expect((await tokenRowsOf(t, bobId))[0].ipAddress).toBe('203.0.113.7');
    });

    it('stores no address when the first item of a long X-Forwarded-For list is not one', async () => {
      const list = ['x'.repeat(1000), ...Array.from({ length: 999 }, () => '198.51.100.1')].join(',');
      await post('request').set('x-forwarded-for', list).send({ email: BOB.email }).expect(200);
      await t.settle();
      expect((await tokenRowsOf(t, bobId))[0].ipAddress).toBeNull();
    });
  });

  /**
   * Random JSON thrown at each endpoint: never a 5xx, a 400 whenever the body is not well formed, and rows
   * change only when a confirm succeeded (then the new password logs in).
   */
  describe('random JSON (fast-check)', () => {
    const RUNS = 200;
    /** Stands for Jane's current live token; swapped in at send time, since a successful confirm replaces it. */
    const LIVE_TOKEN = '\u0001live-token\u0001';
    const SEEDED = new Set([JANE.email, BOB.email].map(foldIdentifier));
    const LIMITS: Record<string, number> = { email: 254, token: 256, password: 4096 };

    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.integer({ min: 240, max: 270 }).map((length) => 'x'.repeat(length)),
      fc.integer({ min: 4090, max: 4100 }).map((length) => 'y'.repeat(length)),
      fc.emailAddress().map((email) => ` ${email} `),
      fc.emailAddress(),
      fc.constant(LIVE_TOKEN),
      fc.constant('\u0000'),
    );
    const value = fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
    const key = (fields: string[]) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...fields) },
        {
          weight: 1,
          arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', ...Object.keys(LIMITS)),
        },
        { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      );
    const objectText = (entries: [string, unknown][]) =>
      `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
    /**
     * JSON text, built entry by entry so keys like __proto__ stay plain keys: any JSON value, objects with
     * random keys, and objects with exactly the endpoint's fields (so valid bodies come up too).
     */
    const bodyText = (fields: string[]) =>
      fc.oneof(
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json) => JSON.stringify(json)) },
        { weight: 3, arbitrary: fc.array(fc.tuple(key(fields), value), { maxLength: 4 }).map(objectText) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(...fields.map(() => value))
            .map((values) => objectText(values.map((v, i) => [fields[i], v]))),
        },
      );

    /**
     * The refusal the body checks owe this body, written from the contract: 400 for a wrong shape, a missing,
     * empty or non-string field, or a bad email or password; 404 when the only fault is a token string that
     * can never be valid; undefined for a well-formed body.
     */
    function expectedRefusal(body: unknown, fields: string[]): 400 | 404 | undefined {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return 400;
      if (Object.keys(body).some((key) => !fields.includes(key))) return 400;
      let malformedToken = false;
      for (const field of fields) {
        const raw = Object.hasOwn(body, field) ? (body as Body)[field] : undefined;
        if (typeof raw !== 'string') return 400;
        const value = field === 'password' ? raw : raw.trim();
        if (value === '') return 400;
        if (value.length <= LIMITS[field] && value.isWellFormed() && !value.includes('\0') && !value.includes('\uFFFD'))
          continue;
        if (field !== 'token') return 400;
        malformedToken = true;
      }
      return malformedToken ? 404 : undefined;
    }

    function mentionsSeededAccount(body: unknown): boolean {
      const email = typeof body === 'object' && body !== null ? (body as Body).email : undefined;
      return typeof email === 'string' && SEEDED.has(foldIdentifier(email.trim()));
    }

    async function throwAt(route: Route, generated: string): Promise<void> {
      const sent = generated.replaceAll(JSON.stringify(LIVE_TOKEN).slice(1, -1), liveToken);
      const parsed: unknown = JSON.parse(sent);
      fc.pre(!mentionsSeededAccount(parsed));
      const before = await databaseState(t);

      const response = await postJsonText(route, sent);
      await t.settle();

      expect(response.status).toBeLessThan(500);
      const refusal = expectedRefusal(parsed, FIELDS[route]);
      if (refusal) expect(response.status).toBe(refusal);
      if (route === 'confirm' && response.status === 200) {
        // A well-formed confirm with the live token and an acceptable password: the only change allowed.
        janePassword = (parsed as Body).password as string;
        expect(await passwordWorks(t.dataSource, janeId, janePassword)).toBe(true);
        expect(await tokenRows(t)).toEqual([]);
        liveToken = await issueLiveToken();
        return;
      }
      expect(await databaseState(t)).toEqual(before);
    }

    it.each(ROUTE_NAMES)(`%s: ${RUNS} random bodies`, async (route) => {
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype);
      await fc.assert(
        fc.asyncProperty(bodyText(FIELDS[route]), (generated) => throwAt(route, generated)),
        { numRuns: RUNS },
      );
      expect(await passwordWorks(t.dataSource, bobId, BOB.plainPassword)).toBe(true);
      expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeKeys);
    });
  });
});
