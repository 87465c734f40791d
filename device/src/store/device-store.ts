import { EventEmitter } from 'node:events';
import { openSqlite } from '@locker/node-kit';
import type { Reservation, StaffCredential } from '@locker/protocol';
import type Database from 'better-sqlite3';
import { AuditLog } from './audit-log.ts';
import { migrations } from './migrations.ts';
import { SqliteOutbox } from './sqlite-outbox.ts';
import { isWriteFailure, StoreError } from './store-error.ts';
import type { CompartmentRecord, PendingUnlock, ReservationRecord } from './store-types.ts';

const compartmentColumns =
  'number, state, reservation_id AS reservationId, door, item_present AS itemPresent, opens, fault, disabled_reason AS disabledReason, updated_at AS updatedAt';
const reservationColumns =
  'id, label, item_type AS itemType, kind, size, state, pin_hash AS pinHash, qr_hash AS qrHash, two_factor AS twoFactor, return_pin_hash AS returnPinHash, expires_at AS expiresAt, due_at AS dueAt, compartment, updated_at AS updatedAt';

const toCompartment = (row: Record<string, unknown> | undefined): CompartmentRecord | undefined =>
  row && {
    ...(row as unknown as CompartmentRecord),
    itemPresent: row.itemPresent === null ? null : row.itemPresent === 1,
  };
const toReservation = (row: Record<string, unknown> | undefined): ReservationRecord | undefined =>
  row && { ...(row as unknown as ReservationRecord), twoFactor: row.twoFactor === 1 };

export type CodeColumn = 'pin_hash' | 'qr_hash' | 'return_pin_hash';

export interface StoreOptions {
  /** secrets.auditKey: without it the store can be read and backed up, but audits nothing. */
  auditKey?: string;
  /** Runs before every transaction: a fault-injection test throws `SQLITE_FULL` from here. */
  beforeWrite?: () => void;
}

/**
 * The device's state in one SQLite file (WAL, synchronous FULL: a committed change survives
 * power loss). Callers group a state change and its outgoing event with {@link transaction};
 * a transaction the disk refuses is reported as `writeFailed` (and thrown to the caller).
 */
export class DeviceStore extends EventEmitter<{ writeFailed: [Error] }> {
  readonly db: Database.Database;
  readonly path: string;
  readonly outbox: SqliteOutbox;
  readonly audit: AuditLog;
  private readonly options: StoreOptions;

  private constructor(db: Database.Database, path: string, options: StoreOptions) {
    super();
    this.db = db;
    this.path = path;
    this.options = options;
    this.outbox = new SqliteOutbox(db);
    this.audit = new AuditLog(db, options.auditKey);
  }

  /** Opens (or creates) the database; a file that is not a readable database is STORE_DAMAGED. */
  static open(path: string, options: StoreOptions = {}): DeviceStore {
    let db: Database.Database;
    try {
      db = openSqlite(path, migrations);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB'))
        throw new StoreError('STORE_DAMAGED', `${path}: ${(error as Error).message}`, { cause: error });
      throw error;
    }
    return new DeviceStore(db, path, options);
  }

  /** SQLite's quick integrity check: the problems it finds (none: intact). */
  quickCheck(): string[] {
    const rows = this.db.pragma('quick_check') as { quick_check: string }[];
    return rows.map((r) => r.quick_check).filter((line) => line !== 'ok');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  transaction<T>(work: () => T): T {
    try {
      this.options.beforeWrite?.();
      return this.db.transaction(work)();
    } catch (error) {
      if (isWriteFailure(error)) this.emit('writeFailed', error as Error);
      throw error;
    }
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  /** Adds configured compartments that are new (free); keeps the state of known ones. */
  ensureCompartments(numbers: number[], now: string): void {
    const insert = this.db.prepare(
      "INSERT OR IGNORE INTO compartments (number, state, updated_at) VALUES (?, 'free', ?)",
    );
    this.transaction(() => {
      for (const n of numbers) insert.run(n, now);
    });
  }

  compartment(number: number): CompartmentRecord | undefined {
    return toCompartment(
      this.db.prepare(`SELECT ${compartmentColumns} FROM compartments WHERE number = ?`).get(number) as never,
    );
  }

  compartments(): CompartmentRecord[] {
    return (
      this.db.prepare(`SELECT ${compartmentColumns} FROM compartments ORDER BY number`).all() as never[]
    ).map((row) => toCompartment(row) as CompartmentRecord);
  }

  updateCompartment(number: number, patch: Partial<Omit<CompartmentRecord, 'number'>>, now: string): void {
    const current = this.compartment(number);
    if (!current) throw new Error(`compartment ${number} is not configured`);
    const next = { ...current, ...patch, updatedAt: now };
    this.db
      .prepare(
        'UPDATE compartments SET state = ?, reservation_id = ?, door = ?, item_present = ?, opens = ?, fault = ?, disabled_reason = ?, updated_at = ? WHERE number = ?',
      )
      .run(
        next.state,
        next.reservationId,
        next.door,
        next.itemPresent === null ? null : next.itemPresent ? 1 : 0,
        next.opens,
        next.fault,
        next.disabledReason,
        next.updatedAt,
        number,
      );
  }

  reservation(id: string): ReservationRecord | undefined {
    return toReservation(
      this.db.prepare(`SELECT ${reservationColumns} FROM reservations WHERE id = ?`).get(id) as never,
    );
  }

  reservations(): ReservationRecord[] {
    return (
      this.db.prepare(`SELECT ${reservationColumns} FROM reservations ORDER BY id`).all() as never[]
    ).map((row) => toReservation(row) as ReservationRecord);
  }

  reservationByCode(column: CodeColumn, hash: string): ReservationRecord | undefined {
    return toReservation(
      this.db
        .prepare(`SELECT ${reservationColumns} FROM reservations WHERE ${column} = ?`)
        .get(hash) as never,
    );
  }

  /** Applies the fleet's view of a reservation; keeps the device's own compartment link. */
  upsertReservation(reservation: Reservation, now: string): void {
    this.db
      .prepare(
        `INSERT INTO reservations (id, label, item_type, kind, size, state, pin_hash, qr_hash, two_factor, return_pin_hash, expires_at, due_at, compartment, updated_at)
         VALUES (@id, @label, @itemType, @kind, @size, @state, @pinHash, @qrHash, @twoFactor, @returnPinHash, @expiresAt, @dueAt, NULL, @now)
         ON CONFLICT (id) DO UPDATE SET label = excluded.label, item_type = excluded.item_type, kind = excluded.kind,
           size = excluded.size, state = excluded.state, pin_hash = excluded.pin_hash, qr_hash = excluded.qr_hash,
           two_factor = excluded.two_factor, return_pin_hash = excluded.return_pin_hash, expires_at = excluded.expires_at,
           due_at = excluded.due_at, updated_at = excluded.updated_at`,
      )
      .run({
        ...reservation,
        pinHash: reservation.pinHash ?? null,
        qrHash: reservation.qrHash ?? null,
        returnPinHash: reservation.returnPinHash ?? null,
        dueAt: reservation.dueAt ?? null,
        twoFactor: reservation.twoFactor ? 1 : 0,
        now,
      });
  }

  setReservationState(
    id: string,
    state: ReservationRecord['state'],
    compartment: number | null,
    now: string,
  ): void {
    this.db
      .prepare('UPDATE reservations SET state = ?, compartment = ?, updated_at = ? WHERE id = ?')
      .run(state, compartment, now, id);
  }

  removeReservation(id: string): void {
    this.db.prepare('DELETE FROM reservations WHERE id = ?').run(id);
  }

  replaceStaff(staff: StaffCredential[]): void {
    this.db.prepare('DELETE FROM staff').run();
    const insert = this.db.prepare(
      'INSERT INTO staff (id, display, role, badge_hash, pin_hash) VALUES (?, ?, ?, ?, ?)',
    );
    for (const s of staff) insert.run(s.id, s.display, s.role, s.badgeHash ?? null, s.pinHash ?? null);
  }

  staffByCode(column: 'badge_hash' | 'pin_hash', hash: string): StaffCredential | undefined {
    const row = this.db
      .prepare(
        `SELECT id, display, role, badge_hash AS badgeHash, pin_hash AS pinHash FROM staff WHERE ${column} = ?`,
      )
      .get(hash) as Record<string, string | null> | undefined;
    if (!row) return undefined;
    return {
      id: row.id as string,
      display: row.display as string,
      role: row.role as 'desk' | 'it',
      ...(row.badgeHash ? { badgeHash: row.badgeHash } : {}),
      ...(row.pinHash ? { pinHash: row.pinHash } : {}),
    } as StaffCredential;
  }

  setPendingUnlock(pending: PendingUnlock): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO pending_unlocks (compartment, purpose, reservation_id, actor_kind, actor_id, started_at, opened) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        pending.compartment,
        pending.purpose,
        pending.reservationId,
        pending.actorKind,
        pending.actorId,
        pending.startedAt,
        pending.opened ? 1 : 0,
      );
  }

  clearPendingUnlock(compartment: number): void {
    this.db.prepare('DELETE FROM pending_unlocks WHERE compartment = ?').run(compartment);
  }

  markUnlockOpened(compartment: number): void {
    this.db.prepare('UPDATE pending_unlocks SET opened = 1 WHERE compartment = ?').run(compartment);
  }

  pendingUnlock(compartment: number): PendingUnlock | undefined {
    return this.pendingUnlocks().find((p) => p.compartment === compartment);
  }

  pendingUnlocks(): PendingUnlock[] {
    const rows = this.db
      .prepare(
        'SELECT compartment, purpose, reservation_id AS reservationId, actor_kind AS actorKind, actor_id AS actorId, started_at AS startedAt, opened FROM pending_unlocks ORDER BY compartment',
      )
      .all() as (Omit<PendingUnlock, 'opened'> & { opened: number })[];
    return rows.map((row) => ({ ...row, opened: row.opened === 1 }));
  }

  commandResult(requestId: string): string | undefined {
    return (
      this.db.prepare('SELECT result FROM commands_seen WHERE request_id = ?').get(requestId) as
        | { result: string }
        | undefined
    )?.result;
  }

  rememberCommand(requestId: string, result: string, now: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO commands_seen (request_id, result, at) VALUES (?, ?, ?)')
      .run(requestId, result, now);
  }
}
