#!/usr/bin/env node
/**
 * The account lookup the TypeORM user store runs, `LOWER(email) = LOWER($1)`, on 1,000,000 users in a fresh
 * PostgreSQL database, without and then with an index on LOWER(email). Prints the median of 20 lookups each.
 *
 *   node bench/lookup-index.mjs
 */
import { createBenchDb } from './lib/bench-db.mjs';
import { writeSeedFile } from './lib/sample-process.mjs';
import { quantile } from './lib/stats.mjs';

const db = await createBenchDb('postgres', writeSeedFile([]).dir);
try {
  await db.exec(
    'CREATE TABLE "users" ("id" serial PRIMARY KEY, "email" varchar(254) UNIQUE, "username" varchar(150) UNIQUE)',
  );
  await db.exec(
    `INSERT INTO "users" ("email", "username") SELECT 'member' || i || '@example.com', 'member' || i FROM generate_series(0, 999999) AS i`,
  );
  await db.exec('VACUUM ANALYZE "users"');
  const lookups = async () => {
    const times = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await db.query('SELECT * FROM "users" WHERE LOWER("email") = LOWER($1) ORDER BY "id"', [
        `Member${Math.floor(Math.random() * 1e6)}@Example.com`,
      ]);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return `median ${quantile(times, 0.5).toFixed(2)} ms, max ${times.at(-1).toFixed(2)} ms`;
  };
  console.log(`without an index on LOWER(email): ${await lookups()}`);
  await db.exec('CREATE INDEX ON "users" (LOWER("email"))');
  await db.exec('ANALYZE "users"');
  console.log(`with an index on LOWER(email):    ${await lookups()}`);
} finally {
  await db.drop();
}
