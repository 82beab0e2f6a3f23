import {
  Column,
  Entity,
  Index,
  JoinColumn,
  OneToOne,
  PrimaryGeneratedColumn,
  RelationId,
  ValueTransformer,
} from 'typeorm';
import type { ObjectType } from 'typeorm';
import { resolveUserEntity } from '../users/user-entity.registry.js';

/**
 * Times are stored as UTC epoch milliseconds: no database server or session time zone, and no driver's
 * date conversion, can then move an expiry.
 */
const epochMilliseconds: ValueTransformer = {
  to: (value?: Date) => value?.getTime(),
  from: (value: string | number | null) => (value === null ? null : new Date(Number(value))),
};

/**
 * One live reset token of one user. The plaintext token is never stored, only its digest. The one-to-one
 * relation gives a unique `userId`, so the database itself enforces "at most one token per user".
 */
@Entity('password_reset_tokens')
export class ResetToken {
  @PrimaryGeneratedColumn()
  id: number;

  @OneToOne(() => resolveUserEntity() as ObjectType<object>, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'userId' })
  user?: unknown;

  /** The user's primary key; its type follows the user entity's (integer or UUID). */
  @RelationId((token: ResetToken) => token.user)
  userId: string | number;

  /** SHA-256 (or HMAC-SHA256 with `tokenSecret`) of the token, hex; account-bound codes include the user id. */
  @Column({ type: 'varchar', length: 64, unique: true })
  tokenDigest: string;

  /** Digest of the password hash and email the token was issued for: it dies when either changes. */
  @Column({ type: 'varchar', length: 64 })
  credentialFingerprint: string;

  @Index()
  @Column({ type: 'bigint', transformer: epochMilliseconds })
  createdAt: Date;

  @Index()
  @Column({ type: 'bigint', transformer: epochMilliseconds })
  expiresAt: Date;

  /** 45 characters hold any IPv6 text form. */
  @Column({ type: 'varchar', length: 45, nullable: true })
  ipAddress: string | null;

  @Column({ type: 'varchar', length: 512, default: '' })
  userAgent: string;

  /** Wrong codes tried against this account's token; it is revoked at `maxFailedAttempts`. */
  @Column({ type: 'int', default: 0 })
  failedAttempts: number;
}
