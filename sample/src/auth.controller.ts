import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  UnauthorizedException,
  ValidationPipe,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import bcrypt from 'bcrypt';
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
  ) {}

  @Post('login')
  @HttpCode(HttpStatus.OK)
  async login(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) body: LoginBody) {
    const user = await this.users.findOneBy({ email: body.email });
    const matches = await bcrypt.compare(body.password, user?.password ?? UNUSED_HASH);
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
