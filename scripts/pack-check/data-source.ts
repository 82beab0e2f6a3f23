import 'reflect-metadata';
import { passwordResetEntities } from 'nestjs-password-reset/typeorm';
import { DataSource } from 'typeorm';
import { User } from './user.entity.js';

/** For the clear-expired command, as an app's cron job would pass it. */
export const dataSource = new DataSource({
  type: 'better-sqlite3',
  database: process.env.DATABASE_FILE ?? 'app.sqlite',
  entities: [User, ...passwordResetEntities(User)],
});
