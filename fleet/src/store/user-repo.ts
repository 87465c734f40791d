import type Database from 'better-sqlite3';

export type Role = 'desk' | 'it' | 'admin';

export interface UserRecord {
  id: string;
  username: string;
  display: string;
  passwordHash: string;
  role: Role;
  /** Municipality ids this user may see; admins may have `*` (every one). */
  municipalities: string[];
  disabled: boolean;
  createdAt: string;
}

type Row = Omit<UserRecord, 'municipalities' | 'disabled'> & { municipalities: string; disabled: number };
const toUser = (row: Row): UserRecord => ({
  ...row,
  municipalities: JSON.parse(row.municipalities) as string[],
  disabled: row.disabled === 1,
});
const columns =
  'id, username, display, password_hash AS passwordHash, role, municipalities, disabled, created_at AS createdAt';

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  municipalities: string[];
  revoked: boolean;
}

/** Staff users, their per-locker PIN hashes, login sessions and integration API tokens. */
export class UserRepo {
  constructor(private readonly db: Database.Database) {}

  insert(user: Omit<UserRecord, 'disabled'>): void {
    this.db
      .prepare(
        `INSERT INTO users (id, username, display, password_hash, role, municipalities, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        user.id,
        user.username,
        user.display,
        user.passwordHash,
        user.role,
        JSON.stringify(user.municipalities),
        user.createdAt,
      );
  }

  byUsername(username: string): UserRecord | undefined {
    const row = this.db.prepare(`SELECT ${columns} FROM users WHERE username = ?`).get(username) as
      | Row
      | undefined;
    return row ? toUser(row) : undefined;
  }

  get(id: string): UserRecord | undefined {
    const row = this.db.prepare(`SELECT ${columns} FROM users WHERE id = ?`).get(id) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  list(): UserRecord[] {
    return (this.db.prepare(`SELECT ${columns} FROM users ORDER BY username`).all() as Row[]).map(toUser);
  }

  setStaffPin(userId: string, lockerId: string, pinHash: string): void {
    this.db
      .prepare(
        `INSERT INTO staff_pins (user_id, locker_id, pin_hash) VALUES (?, ?, ?)
         ON CONFLICT (user_id, locker_id) DO UPDATE SET pin_hash = excluded.pin_hash`,
      )
      .run(userId, lockerId, pinHash);
  }

  staffPins(lockerId: string): { userId: string; display: string; role: Role; pinHash: string }[] {
    return this.db
      .prepare(
        `SELECT u.id AS userId, u.display, u.role, p.pin_hash AS pinHash FROM staff_pins p JOIN users u ON u.id = p.user_id
         WHERE p.locker_id = ? AND u.disabled = 0 ORDER BY u.id`,
      )
      .all(lockerId) as { userId: string; display: string; role: Role; pinHash: string }[];
  }

  insertSession(idHash: string, userId: string, csrf: string, expiresAt: string): void {
    this.db
      .prepare('INSERT INTO sessions (id_hash, user_id, csrf, expires_at) VALUES (?, ?, ?, ?)')
      .run(idHash, userId, csrf, expiresAt);
  }

  session(idHash: string, now: string): { userId: string; csrf: string } | undefined {
    return this.db
      .prepare('SELECT user_id AS userId, csrf FROM sessions WHERE id_hash = ? AND expires_at > ?')
      .get(idHash, now) as { userId: string; csrf: string } | undefined;
  }

  deleteSession(idHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  insertToken(token: {
    id: string;
    tokenHash: string;
    name: string;
    role: Role;
    municipalities: string[];
    createdAt: string;
  }): void {
    this.db
      .prepare(
        'INSERT INTO api_tokens (id, token_hash, name, role, municipalities, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        token.id,
        token.tokenHash,
        token.name,
        token.role,
        JSON.stringify(token.municipalities),
        token.createdAt,
      );
  }

  tokenByHash(tokenHash: string): TokenRecord | undefined {
    const row = this.db
      .prepare('SELECT id, name, role, municipalities, revoked FROM api_tokens WHERE token_hash = ?')
      .get(tokenHash) as
      | (Omit<TokenRecord, 'municipalities' | 'revoked'> & { municipalities: string; revoked: number })
      | undefined;
    return row
      ? { ...row, municipalities: JSON.parse(row.municipalities) as string[], revoked: row.revoked === 1 }
      : undefined;
  }
}
