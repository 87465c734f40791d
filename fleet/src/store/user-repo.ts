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
  /** The staff user who created it: the token stops working while that user is disabled. */
  ownerUserId: string | null;
  ownerDisabled: boolean;
  createdAt: string;
  revoked: boolean;
  revokedAt: string | null;
  revokedBy: string | null;
}

type TokenRow = Omit<TokenRecord, 'municipalities' | 'revoked' | 'ownerDisabled'> & {
  municipalities: string;
  revoked: number;
  ownerDisabled: number;
};
const toToken = (row: TokenRow): TokenRecord => ({
  ...row,
  municipalities: JSON.parse(row.municipalities) as string[],
  revoked: row.revoked === 1,
  ownerDisabled: row.ownerDisabled === 1,
});
const tokenSelect = `SELECT t.id, t.name, t.role, t.municipalities, t.owner_user_id AS ownerUserId,
  COALESCE(u.disabled, 0) AS ownerDisabled, t.created_at AS createdAt, t.revoked, t.revoked_at AS revokedAt,
  t.revoked_by AS revokedBy
  FROM api_tokens t LEFT JOIN users u ON u.id = t.owner_user_id`;

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

  setDisabled(id: string, disabled: boolean): boolean {
    return (
      this.db
        .prepare('UPDATE users SET disabled = ? WHERE id = ? AND disabled = ?')
        .run(disabled ? 1 : 0, id, disabled ? 0 : 1).changes === 1
    );
  }

  setStaffPin(userId: string, lockerId: string, pinHash: string): void {
    this.db
      .prepare(
        `INSERT INTO staff_pins (user_id, locker_id, pin_hash) VALUES (?, ?, ?)
         ON CONFLICT (user_id, locker_id) DO UPDATE SET pin_hash = excluded.pin_hash`,
      )
      .run(userId, lockerId, pinHash);
  }

  /** The lockers that hold a PIN hash of this user. */
  staffPinLockers(userId: string): string[] {
    return (
      this.db
        .prepare('SELECT locker_id AS lockerId FROM staff_pins WHERE user_id = ? ORDER BY locker_id')
        .all(userId) as {
        lockerId: string;
      }[]
    ).map((r) => r.lockerId);
  }

  deleteStaffPins(userId: string): void {
    this.db.prepare('DELETE FROM staff_pins WHERE user_id = ?').run(userId);
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

  /** Ends every session of a user; returns how many there were. */
  deleteSessionsOf(userId: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  insertToken(token: {
    id: string;
    tokenHash: string;
    name: string;
    role: Role;
    municipalities: string[];
    ownerUserId: string | null;
    createdAt: string;
  }): void {
    this.db
      .prepare(
        `INSERT INTO api_tokens (id, token_hash, name, role, municipalities, owner_user_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        token.id,
        token.tokenHash,
        token.name,
        token.role,
        JSON.stringify(token.municipalities),
        token.ownerUserId,
        token.createdAt,
      );
  }

  token(id: string): TokenRecord | undefined {
    const row = this.db.prepare(`${tokenSelect} WHERE t.id = ?`).get(id) as TokenRow | undefined;
    return row ? toToken(row) : undefined;
  }

  tokens(): TokenRecord[] {
    return (this.db.prepare(`${tokenSelect} ORDER BY t.created_at, t.id`).all() as TokenRow[]).map(toToken);
  }

  /** Revokes a token once; false when it already was. */
  revokeToken(id: string, by: string, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE api_tokens SET revoked = 1, revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked = 0',
        )
        .run(at, by, id).changes === 1
    );
  }

  tokenByHash(tokenHash: string): TokenRecord | undefined {
    const row = this.db.prepare(`${tokenSelect} WHERE t.token_hash = ?`).get(tokenHash) as
      | TokenRow
      | undefined;
    return row ? toToken(row) : undefined;
  }
}
