import type { INestApplication } from '@nestjs/common';
import { AbstractHttpAdapter, NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module.js';
import { ConfigError, loadConfig, SampleConfig } from './config.js';
import { createLookupIndexes } from './lookup-index.js';
import { readSeedFile, SeedAccount, seedAccounts } from './seed.js';

const DEMO_SEED_FILE = fileURLToPath(new URL('../seed.json', import.meta.url));

async function bootstrap(): Promise<void> {
  let config: SampleConfig;
  let accounts: SeedAccount[];
  try {
    config = loadConfig();
    accounts = readSeedFile(config.seedFile ?? DEMO_SEED_FILE);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }

  // Before the app is created: the module makes its instruments when it starts.
  if (config.metricsPort) await serveMetrics(config.metricsPort);
  if (config.role === 'worker') return startWorker(config);
  // GraphQL's packages are loaded only when it is on.
  const graphql = config.graphql ? await (await import('./graphql.js')).loadGraphQL(config) : undefined;
  const nestI18n = config.nestI18n ? (await import('./nest-i18n.js')).loadNestI18n() : undefined;
  // A failed start rejects (no abort, no buffered log dump) and ends in the one line below.
  const app = await NestFactory.create(
    AppModule.forRoot(config, graphql, nestI18n),
    await createHttpAdapter(config.httpAdapter),
    {
      logger: ['error', 'warn'],
      abortOnError: false,
      bufferLogs: true,
      autoFlushLogs: false,
    },
  );
  app.enableShutdownHooks();
  serveApiDocs(app);
  await createLookupIndexes(app.get(DataSource));
  await seedAccounts(app.get(DataSource), accounts);
  await app.listen(config.port);
  app.flushLogs();
  if (config.tokenSecretGenerated) {
    console.warn(
      'Warning: TOKEN_SECRET is not set, so the reset codes are keyed with a random secret made up at start: ' +
        'they stop working when the process ends, and instances cannot share them. Set TOKEN_SECRET (32+ characters).',
    );
  }
  console.log(startupLine(config, accounts));
}

/**
 * SAMPLE_ROLE=worker: the same module with no HTTP server; its queue worker runs the requests web instances
 * took. The web instances create the tables and seed the accounts.
 */
async function startWorker(config: SampleConfig): Promise<void> {
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  app.enableShutdownHooks();
  const delivery = config.smtp ? `sent via SMTP ${config.smtp.host}:${config.smtp.port}` : 'printed here';
  console.log(`Sample worker running: it sends the reset mails of requests queued in Redis; they are ${delivery}`);
}

/**
 * METRICS_PORT: the OpenTelemetry SDK with a Prometheus exporter, which serves GET /metrics on that port (its own
 * server, so the metrics are not on the public one). Loaded only when asked for.
 */
async function serveMetrics(port: number): Promise<void> {
  const [{ metrics }, { MeterProvider }, { PrometheusExporter }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-prometheus'),
  ]);
  const exporter = new PrometheusExporter({ port, endpoint: '/metrics' });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [exporter] }));
}

/**
 * Only the chosen platform is loaded. Fastify is told to match `/path/` like `/path`, as Express does: the reset
 * routes' trailing slash is optional. Every response, errors included, says `nosniff` (a JSON answer quoting
 * attacker text is never sniffed as HTML), and none names the framework.
 */
async function createHttpAdapter(name: SampleConfig['httpAdapter']): Promise<AbstractHttpAdapter> {
  if (name === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    const adapter = new FastifyAdapter({ routerOptions: { ignoreTrailingSlash: true } });
    adapter.getInstance().addHook('onRequest', async (_request, reply) => {
      reply.header('X-Content-Type-Options', 'nosniff');
    });
    return adapter;
  }
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  const adapter = new ExpressAdapter();
  // The two Express calls used (the sample does not depend on @types/express).
  const express = adapter.getInstance<{
    disable(setting: string): void;
    use(handler: (request: unknown, response: ServerResponse, next: () => void) => void): void;
  }>();
  express.disable('x-powered-by');
  express.use((_request, response, next) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  });
  return adapter;
}

/**
 * Swagger UI at /docs and the OpenAPI document at /docs-json, the reset routes described by the module (on
 * Fastify, swagger serves the UI's files through @fastify/static).
 */
function serveApiDocs(app: INestApplication): void {
  const config = new DocumentBuilder().setTitle('nestjs-password-reset sample').build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config));
}

/** Where to send requests, and an account to try them on. */
function startupLine(config: SampleConfig, accounts: SeedAccount[]): string {
  const base = `http://localhost:${config.port}`;
  let line = `Sample listening on ${base} — POST ${base}/api/password_reset/`;
  const account = accounts.find((candidate) => candidate.isActive && candidate.password);
  if (account) {
    line += ` {"${config.lookupField}": "${account[config.lookupField]}"}`;
    // Only the built-in demo password is shown; a SEED_FILE's passwords are the operator's own.
    if (!config.seedFile) line += ` (demo account, seeded with password "${account.password}")`;
  }
  const delivery = config.smtp ? `sent via SMTP ${config.smtp.host}:${config.smtp.port}` : 'printed here';
  const graphql = config.graphql ? `; GraphQL at ${base}/graphql` : '';
  return `${line}${graphql}; reset mails are ${delivery}`;
}

bootstrap().catch((error: unknown) => {
  console.error(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
