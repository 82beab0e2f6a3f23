import { Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordResetModule } from 'nestjs-password-reset';
import { TokenInbox } from './token-inbox.js';
import { User } from './user.entity.js';

@Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: process.env.DATABASE_FILE ?? 'app.sqlite',
      entities: [User],
      autoLoadEntities: true,
      synchronize: true,
    }),
    EventEmitterModule.forRoot(),
    PasswordResetModule.forRoot({ user: { entity: User }, bcryptCost: 4 }),
  ],
  providers: [TokenInbox],
})
export class AppModule {}
