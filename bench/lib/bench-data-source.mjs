/**
 * The data source the clear-expired cron command loads in the scale benchmark:
 *   BENCH_DATABASE_URL=postgres://… node dist/cli/clear-expired.js --data-source bench/lib/bench-data-source.mjs
 */
import { DataSource } from 'typeorm';
import { passwordResetEntities } from '../../dist/typeorm.js';
import { User } from '../../sample/dist/user.entity.js';

export default new DataSource({
  type: 'postgres',
  url: process.env.BENCH_DATABASE_URL,
  entities: [User, ...passwordResetEntities(User)],
});
