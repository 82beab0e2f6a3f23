/**
 * The overhead baseline: a bare Nest app (express, TypeORM, SQLite, like the sample) whose one endpoint
 * inserts one row and answers. Plain JS, so decorators are applied with Reflect.decorate.
 *
 *   DATABASE_URL=sqlite:/tmp/bare.sqlite PORT=3001 [BARE_WAL=1] node bench/bare-app/main.mjs
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Inject, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { EntitySchema } from 'typeorm';

const BareRow = new EntitySchema({
  name: 'BareRow',
  tableName: 'bare_rows',
  columns: {
    id: { type: Number, primary: true, generated: true },
    email: { type: 'varchar', length: 254 },
    createdAt: { type: 'bigint' },
  },
});

class BareController {
  constructor(rows) {
    this.rows = rows;
  }

  async create(body) {
    await this.rows.insert({ email: String(body?.email ?? ''), createdAt: Date.now() });
    return { status: 'OK' };
  }
}
Inject(getRepositoryToken(BareRow))(BareController, undefined, 0);
Body()(BareController.prototype, 'create', 0);
Reflect.decorate(
  [Post(), HttpCode(200)],
  BareController.prototype,
  'create',
  Object.getOwnPropertyDescriptor(BareController.prototype, 'create'),
);
const Mounted = Reflect.decorate([Controller('bare')], BareController);

class BareModule {}
const App = Reflect.decorate(
  [
    Module({
      imports: [
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: process.env.DATABASE_URL.slice('sqlite:'.length),
          entities: [BareRow],
          synchronize: true,
          enableWAL: process.env.BARE_WAL === '1',
        }),
        TypeOrmModule.forFeature([BareRow]),
      ],
      controllers: [Mounted],
    }),
  ],
  BareModule,
);

const app = await NestFactory.create(App, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT));
console.log(`Sample listening on http://localhost:${process.env.PORT} (bare baseline)`);
