import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  UnauthorizedException,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { InjectRepository } from '@nestjs/typeorm';
import { InjectPasswordResetOptions, PasswordHasher } from 'nestjs-password-reset';
import type { ResolvedPasswordResetOptions } from 'nestjs-password-reset';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { Repository } from 'typeorm';
import { SessionsService } from './sessions.service.js';
import { User } from './user.entity.js';

class LoginBody {
  @IsEmail()
  email: string;

  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password: string;
}

/** Compared when the account is missing, so the answer takes as long as for a real account. */
const UNUSED_HASH = '$2b$12$KK090Bccj2bQaLWyU02UMumJddDjb.7vE30YpXcnWMIItZRnXx5Fy';

/** Just enough login to see a reset take effect, and to see it end the sessions opened before it. */
@Controller('auth')
export class AuthController {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly sessions: SessionsService,
    // The reset module's hasher and messages, so login judges a password exactly as confirm stored it.
    private readonly hasher: PasswordHasher,
    @InjectPasswordResetOptions() private readonly options: ResolvedPasswordResetOptions,
  ) {}

  /** Per client (ThrottlerModule in AppModule): 429 past LOGIN_THROTTLE_LIMIT attempts. */
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @UseGuards(ThrottlerGuard)
  async login(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) body: LoginBody) {
    // bcrypt compares only the first 72 bytes: a longer password would log in with any suffix. Refused before
    // the lookup, so the answer says nothing about the account.
    const maxBytes = this.hasher.maxPasswordBytes;
    if (maxBytes !== undefined && Buffer.byteLength(body.password, 'utf8') > maxBytes) {
      throw new BadRequestException([this.options.messages.passwordTooLong(maxBytes)]);
    }
    const user = await this.users.findOneBy({ email: body.email });
    const matches = await this.hasher.verify(body.password, user?.password ?? UNUSED_HASH);
    if (!user?.password || !user.isActive || !matches) {
      throw new UnauthorizedException('Invalid email or password');
    }
    return { id: user.id, email: user.email, username: user.username, sessionToken: this.sessions.issue(user) };
  }

  /** `Authorization: Bearer <sessionToken>` → the account, or 401 once a reset has ended the session. */
  @Get('me')
  async me(@Headers('authorization') authorization?: string) {
    const user = await this.sessions.verify(/^Bearer (\S+)$/.exec(authorization ?? '')?.[1]);
    return { id: user.id, email: user.email, username: user.username };
  }
}
