/**
 * The ceilings the throughput benchmark measures the module against: a bare Nest app on the same framework,
 * HTTP adapter, TypeORM and database as the sample, with nothing of its own beyond one statement per request.
 * Plain JS, so decorators are applied with Reflect.decorate.
 *
 *   POST /bare         one awaited INSERT, 200: the ceiling of the request endpoint
 *   POST /bare/select  one SELECT by a unique indexed column, 404 (NotFoundException, as an app throws it)
 *                      when nothing matches: the ceiling of validate with an invalid token
 *   POST /bare/noop    no database work, 200: the framework's cheapest answer, the ceiling of the flood paths
 *   POST /bare/refuse  no database work, a 429 (HttpException, as an app refuses a call): the framework's cheapest
 *                      refusal, the like-for-like ceiling of the per-client limit's 429
 *
 *   DATABASE_URL=sqlite:/tmp/bare.sqlite|postgres://…|mariadb://… PORT=3001 [HTTP_ADAPTER=fastify]
 *     [BARE_WAL=1] [BARE_SELECT_ROWS=1000] node bench/bare-app/main.mjs
 *
 * BARE_WAL=1: SQLite opened as the sample opens it (WAL, synchronous=NORMAL).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Body, Controller, HttpCode, HttpException, Inject, Module, NotFoundException, Post } from '@nestjs/common';
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

/** Looked up by `digest`, as the module looks its tokens up by theirs. */
const BareToken = new EntitySchema({
  name: 'BareToken',
  tableName: 'bare_tokens',
  columns: {
    id: { type: Number, primary: true, generated: true },
    digest: { type: 'varchar', length: 64, unique: true },
  },
});

class BareController {
  constructor(rows, tokens) {
    this.rows = rows;
    this.tokens = tokens;
  }

  async create(body) {
    await this.rows.insert({ email: String(body?.email ?? ''), createdAt: Date.now() });
    return { status: 'OK' };
  }

  async select(body) {
    const found = await this.tokens.findOneBy({ digest: String(body?.token ?? '') });
    if (!found) throw new NotFoundException();
    return { status: 'OK' };
  }

  noop() {
    return { status: 'OK' };
  }

  refuse() {
    throw new HttpException('Too Many Requests', 429);
  }
}
Inject(getRepositoryToken(BareRow))(BareController, undefined, 0);
Inject(getRepositoryToken(BareToken))(BareController, undefined, 1);
const route = (method, path) => {
  Reflect.decorate(
    [Post(path), HttpCode(200)],
    BareController.prototype,
    method,
    Object.getOwnPropertyDescriptor(BareController.prototype, method),
  );
};
Body()(BareController.prototype, 'create', 0);
Body()(BareController.prototype, 'select', 0);
route('create', undefined);
route('select', 'select');
route('noop', 'noop');
route('refuse', 'refuse');
const Mounted = Reflect.decorate([Controller('bare')], BareController);

/** The data source the sample's config makes of the same DATABASE_URL. */
function dataSourceOptions(url) {
  if (url.startsWith('sqlite:')) {
    const database = url.slice('sqlite:'.length);
    if (process.env.BARE_WAL !== '1') return { type: 'better-sqlite3', database };
    return {
      type: 'better-sqlite3',
      database,
      enableWAL: true,
      prepareDatabase: (db) => db.pragma('synchronous = NORMAL'),
    };
  }
  const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
  return { type: scheme === 'postgresql' ? 'postgres' : scheme, url };
}

class BareModule {}
const App = Reflect.decorate(
  [
    Module({
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(process.env.DATABASE_URL),
          entities: [BareRow, BareToken],
          synchronize: true,
        }),
        TypeOrmModule.forFeature([BareRow, BareToken]),
      ],
      controllers: [Mounted],
    }),
  ],
  BareModule,
);

async function httpAdapter() {
  if (process.env.HTTP_ADAPTER === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return new FastifyAdapter();
  }
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  return new ExpressAdapter();
}

const app = await NestFactory.create(App, await httpAdapter(), { logger: ['error', 'warn'] });
app.enableShutdownHooks();
// Rows to miss among, like the module's token table; random digests, so no benchmark request matches one.
const tokens = app.get(getRepositoryToken(BareToken));
const rows = Number(process.env.BARE_SELECT_ROWS ?? 1000);
for (let start = 0; start < rows; start += 500) {
  const chunk = Array.from({ length: Math.min(500, rows - start) }, () => ({
    digest: randomBytes(32).toString('hex'),
  }));
  await tokens.insert(chunk);
}
await app.listen(Number(process.env.PORT));
console.log(`Sample listening on http://localhost:${process.env.PORT} (bare baseline)`);
