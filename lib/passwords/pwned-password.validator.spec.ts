import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogRecorder } from '../../test/fixtures/log-recorder.js';
import { unreachableUrl } from '../../test/fixtures/unreachable-url.js';
import {
  BREACH_CHECK_UNAVAILABLE_MESSAGE,
  BREACHED_PASSWORD_MESSAGE,
  PwnedPasswordValidator,
} from './pwned-password.validator.js';

const PASSWORD = 'Correct-Horse-Battery-Staple-42';
const HASH = createHash('sha1').update(PASSWORD).digest('hex').toUpperCase();
const PREFIX = HASH.slice(0, 5);
const SUFFIX = HASH.slice(5);
/** Suffixes of other passwords sharing nothing with ours, as a real range answer lists hundreds of. */
const OTHER_LINES = ['0018A45C4D1DEF81644B54AB7F969B88D65:1', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2'];

/** `hang`: never answers; `stall`: sends the status and part of the body, then nothing. */
type Reply = { status: number; body: string } | 'hang' | 'stall';

/** A real HTTP server standing in for api.pwnedpasswords.com; keeps every raw byte it receives. */
class RangeApiStub {
  readonly paths: string[] = [];
  readonly headers: IncomingHttpHeaders[] = [];
  private readonly raw: Buffer[] = [];
  reply: Reply = { status: 200, body: OTHER_LINES.join('\r\n') };
  private readonly server: Server = createServer((request, response) => {
    this.paths.push(request.url ?? '');
    this.headers.push(request.headers);
    const reply = this.reply;
    if (reply === 'hang') return;
    if (reply === 'stall') return void response.writeHead(200).write(`${OTHER_LINES[0]}\r\n`);
    response.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
  });

  async start(): Promise<string> {
    this.server.on('connection', (socket) => socket.on('data', (chunk: Buffer) => this.raw.push(chunk)));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Everything clients sent, request lines, headers and bodies included. */
  received(): string {
    return Buffer.concat(this.raw).toString('latin1');
  }

  reset(): void {
    this.paths.length = 0;
    this.headers.length = 0;
    this.raw.length = 0;
    this.reply = { status: 200, body: OTHER_LINES.join('\r\n') };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('PwnedPasswordValidator', () => {
  const stub = new RangeApiStub();
  let baseUrl: string;
  let logs: LogRecorder;

  beforeAll(async () => {
    baseUrl = await stub.start();
  });
  afterAll(() => stub.stop());
  beforeEach(() => {
    stub.reset();
    logs = new LogRecorder();
    Logger.overrideLogger(logs);
  });
  afterEach(() => Logger.overrideLogger(new ConsoleLogger()));

  it('sends only the 5-character hash prefix, asking for padding', async () => {
    await new PwnedPasswordValidator({ baseUrl }).validate(PASSWORD);

    expect(stub.paths).toEqual([`/range/${PREFIX}`]);
    expect(stub.headers[0]['add-padding']).toBe('true');
    const sent = stub.received();
    expect(sent).toContain(PREFIX);
    for (const secret of [PASSWORD, HASH, SUFFIX, SUFFIX.toLowerCase(), SUFFIX.slice(0, 8)]) {
      expect(sent).not.toContain(secret);
    }
  });

  it('refuses a password whose suffix is listed', async () => {
    stub.reply = { status: 200, body: [OTHER_LINES[0], `${SUFFIX}:3861493`, OTHER_LINES[1]].join('\r\n') };

    await expect(new PwnedPasswordValidator({ baseUrl }).validate(PASSWORD)).resolves.toEqual([
      BREACHED_PASSWORD_MESSAGE,
    ]);
  });

  it('accepts a password whose suffix is not listed', async () => {
    await expect(new PwnedPasswordValidator({ baseUrl }).validate(PASSWORD)).resolves.toEqual([]);
    expect(stub.paths).toHaveLength(1);
  });

  it('ignores padding lines, even one that carries our suffix', async () => {
    stub.reply = {
      status: 200,
      body: [...OTHER_LINES, `${SUFFIX}:0`, '1111111111111111111111111111111111A:0'].join('\r\n'),
    };

    await expect(new PwnedPasswordValidator({ baseUrl }).validate(PASSWORD)).resolves.toEqual([]);
  });

  it('refuses only from minimumCount breaches on', async () => {
    stub.reply = { status: 200, body: `${SUFFIX}:4\n` };

    await expect(new PwnedPasswordValidator({ baseUrl, minimumCount: 5 }).validate(PASSWORD)).resolves.toEqual([]);
    await expect(new PwnedPasswordValidator({ baseUrl, minimumCount: 4 }).validate(PASSWORD)).resolves.toEqual([
      BREACHED_PASSWORD_MESSAGE,
    ]);
  });

  it("answers with the app's messages", async () => {
    stub.reply = { status: 200, body: `${SUFFIX}:12\n` };
    const french = { message: 'Ce mot de passe a fuité.', unavailableMessage: () => 'Vérification impossible.' };

    await expect(new PwnedPasswordValidator({ baseUrl, ...french }).validate(PASSWORD)).resolves.toEqual([
      'Ce mot de passe a fuité.',
    ]);
    stub.reply = { status: 500, body: '' };
    await expect(
      new PwnedPasswordValidator({ baseUrl, failOpen: false, ...french }).validate(PASSWORD),
    ).resolves.toEqual(['Vérification impossible.']);
  });

  it('accepts a base URL with a trailing slash or a path', async () => {
    await new PwnedPasswordValidator({ baseUrl: `${baseUrl}/` }).validate(PASSWORD);
    await new PwnedPasswordValidator({ baseUrl: `${baseUrl}/mirror/` }).validate(PASSWORD);

    expect(stub.paths).toEqual([`/range/${PREFIX}`, `/mirror/range/${PREFIX}`]);
  });

  describe.each<[string, () => Promise<string>]>([
    ['a timeout', async () => ((stub.reply = 'hang'), baseUrl)],
    ['a body that stalls', async () => ((stub.reply = 'stall'), baseUrl)],
    ['a 500', async () => ((stub.reply = { status: 500, body: `${SUFFIX}:99` }), baseUrl)],
    ['a 429', async () => ((stub.reply = { status: 429, body: '' }), baseUrl)],
    ['an unreachable API', unreachableUrl],
  ])('on %s', (_, arrange) => {
    it('accepts the password when failing open (the default) and logs a warning without it', async () => {
      const url = await arrange();
      const started = Date.now();

      await expect(new PwnedPasswordValidator({ baseUrl: url, timeoutMs: 200 }).validate(PASSWORD)).resolves.toEqual(
        [],
      );

      expect(Date.now() - started).toBeLessThan(1500);
      expect(logs.lines('warn')).toEqual([expect.stringContaining('the password was accepted unchecked')]);
      for (const secret of [PASSWORD, HASH, SUFFIX]) expect(logs.lines().join('\n')).not.toContain(secret);
    });

    it('refuses the password with a clear message when failing closed', async () => {
      const url = await arrange();

      await expect(
        new PwnedPasswordValidator({ baseUrl: url, timeoutMs: 200, failOpen: false }).validate(PASSWORD),
      ).resolves.toEqual([BREACH_CHECK_UNAVAILABLE_MESSAGE]);
      expect(logs.lines('warn')).toEqual([expect.stringContaining('the password was refused')]);
    });
  });

  it.each<[string, object]>([
    ['baseUrl', { baseUrl: 'not a url' }],
    ['baseUrl', { baseUrl: 'ftp://example.com' }],
    ['baseUrl', { baseUrl: 'https://example.com/?q=1' }],
    ['baseUrl', { baseUrl: 42 }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: 1.5 }],
    ['timeoutMs', { timeoutMs: 120_000 }],
    ['timeoutMs', { timeoutMs: '1500' }],
    ['failOpen', { failOpen: 'false' }],
    ['minimumCount', { minimumCount: 0 }],
    ['minimumCount', { minimumCount: Number.NaN }],
    ['message', { message: 1 }],
    ['unavailableMessage', { unavailableMessage: '' }],
  ])('refuses a bad %s at construction, naming it', (option, options) => {
    expect(() => new PwnedPasswordValidator(options)).toThrow(new RegExp(`^${option} `));
  });
});
