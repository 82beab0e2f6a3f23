import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import bcrypt from 'bcrypt';
import { ResetToken } from 'nestjs-password-reset/typeorm';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { TokenInbox } from './token-inbox.js';
import { User } from './user.entity.js';

const OLD_PASSWORD = 'Old-harbour-light-1961';
const NEW_PASSWORD = 'Sunny-harbour-1987';

interface Check {
  name: string;
  ok: boolean;
  detail?: unknown;
}

/** One reset over real HTTP, as a user of the installed package would run it; prints one result line. */
async function main(): Promise<void> {
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail?: unknown) => checks.push({ name, ok, ...(ok ? {} : { detail }) });
  // `module` exists only when Node runs this file as CommonJS.
  const moduleSystem = typeof module === 'undefined' ? 'esm' : 'commonjs';

  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  try {
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    const post = async (path: string, body: object) => {
      const response = await fetch(`${base}/password_reset/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };

    const dataSource = app.get(DataSource);
    const users = dataSource.getRepository(User);
    const tokens = dataSource.getRepository(ResetToken);
    const user = await users.save(
      users.create({ email: 'ada@example.com', username: 'ada', password: await bcrypt.hash(OLD_PASSWORD, 4) }),
    );
    const inbox = app.get(TokenInbox);

    const requested = await post('', { email: user.email });
    check('request answers 200 OK', requested.status === 200 && requested.body.status === 'OK', requested);
    const token = await inbox.next();
    check('TokenCreated carries a token', token.length >= 20, token.length);

    const bad = await post('validate_token/', { token: 'x'.repeat(token.length) });
    check('a bad token gets 404', bad.status === 404, bad);
    const valid = await post('validate_token/', { token });
    check('validate answers 200 OK', valid.status === 200 && valid.body.status === 'OK', valid);
    const confirmed = await post('confirm/', { token, password: NEW_PASSWORD });
    check('confirm answers 200 OK', confirmed.status === 200 && confirmed.body.status === 'OK', confirmed);

    const stored = (await users.findOneByOrFail({ id: user.id })).password ?? '';
    check('the stored hash matches the new password', await bcrypt.compare(NEW_PASSWORD, stored));
    check('the old password no longer matches', !(await bcrypt.compare(OLD_PASSWORD, stored)));
    check('confirm deleted the token row', (await tokens.count()) === 0);
    const reused = await post('confirm/', { token, password: 'Another-harbour-2001' });
    check('the used token gets 404', reused.status === 404, reused);

    // Leave one expired token for the clear-expired command the pack check runs next.
    await post('', { email: user.email });
    await inbox.next();
    const issued = await tokens.find();
    check('a second request stores one token row', issued.length === 1, issued.length);
    for (const row of issued) await tokens.save({ ...row, expiresAt: new Date(Date.now() - 60_000) });
  } catch (error) {
    check('the reset flow ran to the end', false, error instanceof Error ? error.stack : String(error));
  } finally {
    await app.close();
  }
  console.log(`PACK-CHECK-RESULT ${JSON.stringify({ moduleSystem, checks })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
