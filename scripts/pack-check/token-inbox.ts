import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { PasswordResetEvents, TokenCreatedEvent } from 'nestjs-password-reset';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Stands in for the app's mailer: keeps each issued token until the run follows its "link". Shared by the packed
 * apps (pack-check.mjs copies it into the one without TypeORM), so it names no entity of theirs.
 */
@Injectable()
export class TokenInbox {
  private readonly tokens: string[] = [];

  @OnEvent(PasswordResetEvents.TokenCreated, { suppressErrors: false })
  deliver({ user, token }: TokenCreatedEvent<{ email: string }>): void {
    if (user.email === 'ada@example.com') this.tokens.push(token);
  }

  /** The request endpoint answers before the token is issued: wait for the event. */
  async next(): Promise<string> {
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(20)) {
      const token = this.tokens.shift();
      if (token !== undefined) return token;
    }
    throw new Error('no TokenCreated event within 10 s');
  }
}
