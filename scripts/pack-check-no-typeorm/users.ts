import { Injectable } from '@nestjs/common';
import { PasswordResetUserId, PasswordResetUserStore } from 'nestjs-password-reset';

export interface AppUser {
  id: number;
  email: string;
  username: string;
  passwordHash: string | null;
  isActive: boolean;
}

/** The app's own users, in memory: no database, no TypeORM. The reset flow reaches them through this store. */
@Injectable()
export class MapUserStore extends PasswordResetUserStore<AppUser> {
  private readonly users = new Map<number, AppUser>();

  add(user: Omit<AppUser, 'id'>): AppUser {
    const stored = { ...user, id: this.users.size + 1 };
    this.users.set(stored.id, stored);
    return { ...stored };
  }

  async findByLookup(field: string, value: string): Promise<AppUser[]> {
    const wanted = value.toLowerCase();
    return [...this.users.values()]
      .filter((user) => this.getAttribute(user, field)?.toLowerCase() === wanted)
      .map((user) => ({ ...user }));
  }

  async findById(id: PasswordResetUserId): Promise<AppUser | null> {
    const user = this.users.get(Number(id));
    return user ? { ...user } : null;
  }

  getId(user: AppUser): PasswordResetUserId {
    return user.id;
  }

  getAttribute(user: AppUser, field: string): string | null {
    return field === 'email' || field === 'username' ? user[field] : null;
  }

  isActive(user: AppUser): boolean {
    return user.isActive;
  }

  getPasswordHash(user: AppUser): string | null {
    return user.passwordHash;
  }

  /** Writes only while the hash and email are those the token was checked against, as the contract asks. */
  async setPasswordHash(user: AppUser, passwordHash: string): Promise<boolean> {
    const current = this.users.get(user.id);
    if (!current || current.passwordHash !== user.passwordHash || current.email !== user.email) return false;
    current.passwordHash = passwordHash;
    return true;
  }
}
