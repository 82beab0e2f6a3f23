import { In, LessThanOrEqual, Repository } from 'typeorm';
import { ResetToken } from './reset-token.entity.js';

/**
 * Deletes up to `limit` expired tokens, oldest first, in one short statement (the expiry index finds them).
 * Resolves to the number deleted and whether more may remain.
 */
export async function deleteExpiredBatch(
  tokens: Repository<ResetToken>,
  limit: number,
): Promise<{ deleted: number; more: boolean }> {
  const expired = await tokens.find({
    select: { id: true },
    where: { expiresAt: LessThanOrEqual(new Date()) },
    order: { expiresAt: 'ASC' },
    take: limit,
  });
  if (expired.length === 0) return { deleted: 0, more: false };
  const result = await tokens.delete({ id: In(expired.map((row) => row.id)) });
  // Another instance may have deleted some of this batch meanwhile; a full batch still means "look again".
  return { deleted: result.affected ?? expired.length, more: expired.length === limit };
}

/** Deletes every expired token, `batchSize` at a time, so no statement holds locks for long. */
export async function clearExpiredTokens(tokens: Repository<ResetToken>, batchSize: number): Promise<number> {
  let total = 0;
  for (let more = true; more;) {
    const batch = await deleteExpiredBatch(tokens, batchSize);
    total += batch.deleted;
    more = batch.more;
  }
  return total;
}
