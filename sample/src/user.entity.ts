import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { LOOKUP_INDEXES } from './lookup-index.js';

/** The app's own accounts; the package reads and updates them through its field map (these are its defaults). */
@Entity('users')
@Index(LOOKUP_INDEXES.email, { synchronize: false })
@Index(LOOKUP_INDEXES.username, { synchronize: false })
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 254, unique: true })
  email: string;

  @Column({ type: 'varchar', length: 150, unique: true })
  username: string;

  /** A bcrypt hash; null for an account that has no password yet (it cannot reset one either). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  password: string | null;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  /** Base32 TOTP secret (RFC 6238, SHA-1, 6 digits, 30 s); null: no second factor. A real app encrypts it at rest. */
  @Column({ type: 'varchar', length: 128, nullable: true, default: null })
  totpSecret: string | null;

  /** Embedded in session tokens; a password reset increments it, which ends every older session. */
  @Column({ type: 'int', default: 0 })
  credentialVersion: number;
}
