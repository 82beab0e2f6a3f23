import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { PasswordResetEvents, ResetCommittingEvent } from 'nestjs-password-reset';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import type { SampleConfig } from './config.js';
import { SAMPLE_CONFIG } from './config.module.js';
import { User } from './user.entity.js';

/**
 * Stateless session tokens `<userId>.<credentialVersion>.<signature>`. A reset bumps the user's credential
 * version, so every session issued before it stops working, on every instance, without a session table.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @Inject(SAMPLE_CONFIG) private readonly config: SampleConfig,
  ) {}

  issue(user: User): string {
    const payload = `${user.id}.${user.credentialVersion}`;
    return `${payload}.${this.sign(payload)}`;
  }

  async verify(sessionToken: string | undefined): Promise<User> {
    const [id, version, signature = ''] = sessionToken?.split('.') ?? [];
    const expected = Buffer.from(this.sign(`${id}.${version}`));
    const given = Buffer.from(signature);
    const user =
      expected.length === given.length && timingSafeEqual(expected, given)
        ? await this.users.findOneBy({ id: Number(id) })
        : null;
    if (!user || !user.isActive || String(user.credentialVersion) !== version) {
      throw new UnauthorizedException('Session expired, please log in again');
    }
    return user;
  }

  /**
   * The password is changing: log out every existing session of this user. In ResetCommitting, not PostReset,
   * so a failure here fails the reset (the password stays, the token too) instead of leaving old sessions alive
   * behind a 200. Through the reset's transaction where there is one: the password write holds the user's row.
   */
  @OnEvent(PasswordResetEvents.ResetCommitting, { suppressErrors: false })
  async revokeSessions({ user, session }: ResetCommittingEvent<User>): Promise<void> {
    const users = session instanceof EntityManager ? session.getRepository(User) : this.users;
    await users.increment({ id: user.id }, 'credentialVersion', 1);
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.config.sessionSecret).update(payload).digest('base64url');
  }
}
