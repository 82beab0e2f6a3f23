#!/usr/bin/env node
/**
 * Deletes expired password-reset tokens from the app's database, for cron or a scheduled job:
 *
 *   nestjs-password-reset-clear-expired --data-source ./dist/data-source.js [--batch-size 100]
 *
 * The module's default export, or a named export, must be a TypeORM DataSource whose entities include
 * `passwordResetEntities(User)`. Prints the number deleted; exits 1 on any error.
 */
import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import type { DataSource } from 'typeorm';
import { ResetToken } from '../entities/reset-token.entity.js';
import { DEFAULT_CLEANUP_BATCH_SIZE } from '../password-reset.constants.js';
import { TypeOrmResetTokenStore } from '../storage/typeorm-reset-token.store.js';
import { redactUrlPasswords } from '../utils/redact.util.js';

const USAGE = 'usage: nestjs-password-reset-clear-expired --data-source <module.js> [--batch-size <1..10000>]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'data-source': { type: 'string' }, 'batch-size': { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) return void console.log(USAGE);
  if (!values['data-source']) throw new Error(USAGE);
  const batchSize = Number(values['batch-size'] ?? DEFAULT_CLEANUP_BATCH_SIZE);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new Error(USAGE);

  const dataSource = findDataSource(
    (await import(pathToFileURL(resolve(values['data-source'])).href)) as Record<string, unknown>,
  );
  if (!dataSource.isInitialized) await dataSource.initialize();
  try {
    if (!dataSource.hasMetadata(ResetToken)) {
      throw new Error('the data source does not list ResetToken: add ...passwordResetEntities(User) to its entities');
    }
    const deleted = await new TypeOrmResetTokenStore(dataSource.getRepository(ResetToken)).clearExpired(batchSize);
    console.log(`deleted ${deleted} expired password-reset token${deleted === 1 ? '' : 's'}`);
  } finally {
    await dataSource.destroy();
  }
}

/** The default export if it is a DataSource, else the only DataSource among the named exports. */
function findDataSource(module: Record<string, unknown>): DataSource {
  // TypeORM's own brand: `instanceof` fails when the app resolves another copy of typeorm.
  const isDataSource = (value: unknown): value is DataSource =>
    (value as DataSource | undefined)?.['@instanceof'] === Symbol.for('DataSource');
  if (isDataSource(module.default)) return module.default;
  const found = Object.values(module).filter(isDataSource);
  if (found.length !== 1) throw new Error(`expected one exported DataSource in the module, found ${found.length}`);
  return found[0];
}

main().catch((error: unknown) => {
  // Cron mails or ships this line: a driver error quoting the database URL must not carry its password.
  const message = redactUrlPasswords(error instanceof Error ? error.message : String(error));
  console.error(`nestjs-password-reset-clear-expired: ${message}`);
  process.exitCode = 1;
});
