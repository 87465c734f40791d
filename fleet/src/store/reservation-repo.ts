import type { ReservationState } from '@locker/protocol';
import type Database from 'better-sqlite3';
import type { Language } from '../domain/item-types.ts';

export type Channel = 'email' | 'sms' | 'ebox';

export interface ReservationRecord {
  id: string;
  ref: string;
  municipalityId: string;
  lockerId: string;
  itemType: string;
  state: ReservationState;
  citizenName: string;
  citizenEmail: string | null;
  citizenPhone: string | null;
  language: Language;
  channel: Channel;
  pinHash: string | null;
  qrHash: string | null;
  returnPinHash: string | null;
  compartment: number | null;
  expiresAt: string | null;
  dueAt: string | null;
  overdue: boolean;
  reminded: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const columns = `id, ref, municipality_id AS municipalityId, locker_id AS lockerId, item_type AS itemType, state,
  citizen_name AS citizenName, citizen_email AS citizenEmail, citizen_phone AS citizenPhone, language, channel,
  pin_hash AS pinHash, qr_hash AS qrHash, return_pin_hash AS returnPinHash, compartment, expires_at AS expiresAt,
  due_at AS dueAt, overdue, reminded, created_by AS createdBy, created_at AS createdAt, updated_at AS updatedAt`;

type Row = Omit<ReservationRecord, 'overdue' | 'reminded'> & { overdue: number; reminded: number };
const toRecord = (row: Row): ReservationRecord => ({
  ...row,
  overdue: row.overdue === 1,
  reminded: row.reminded === 1,
});

const snake: Record<string, string> = {
  state: 'state',
  pinHash: 'pin_hash',
  qrHash: 'qr_hash',
  returnPinHash: 'return_pin_hash',
  compartment: 'compartment',
  expiresAt: 'expires_at',
  dueAt: 'due_at',
  overdue: 'overdue',
  reminded: 'reminded',
};
export type ReservationPatch = Partial<
  Pick<
    ReservationRecord,
    | 'state'
    | 'pinHash'
    | 'qrHash'
    | 'returnPinHash'
    | 'compartment'
    | 'expiresAt'
    | 'dueAt'
    | 'overdue'
    | 'reminded'
  >
>;

export interface ReservationFilter {
  municipalities: readonly string[] | 'all';
  lockerId?: string;
  states?: readonly ReservationState[];
  limit?: number;
}

export class ReservationRepo {
  constructor(private readonly db: Database.Database) {}

  insert(r: Omit<ReservationRecord, 'overdue' | 'reminded'>): void {
    this.db
      .prepare(
        `INSERT INTO reservations (id, ref, municipality_id, locker_id, item_type, state, citizen_name, citizen_email,
           citizen_phone, language, channel, pin_hash, qr_hash, return_pin_hash, compartment, expires_at, due_at,
           created_by, created_at, updated_at)
         VALUES (@id, @ref, @municipalityId, @lockerId, @itemType, @state, @citizenName, @citizenEmail, @citizenPhone,
           @language, @channel, @pinHash, @qrHash, @returnPinHash, @compartment, @expiresAt, @dueAt, @createdBy,
           @createdAt, @updatedAt)`,
      )
      .run(r);
  }

  get(id: string): ReservationRecord | undefined {
    const row = this.db.prepare(`SELECT ${columns} FROM reservations WHERE id = ?`).get(id) as
      | Row
      | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Whether a reservation of this locker holds this hash as its PIN or return PIN. */
  pinHashInUse(lockerId: string, hash: string): boolean {
    return (
      this.db
        .prepare(
          'SELECT 1 FROM reservations WHERE locker_id = ? AND (pin_hash = ? OR return_pin_hash = ?) LIMIT 1',
        )
        .get(lockerId, hash, hash) !== undefined
    );
  }

  update(id: string, patch: ReservationPatch, at: string): void {
    const entries = Object.entries(patch).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([key]) => `${snake[key]} = ?`).join(', ');
    const values = entries.map(([, value]) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));
    this.db.prepare(`UPDATE reservations SET ${sets}, updated_at = ? WHERE id = ?`).run(...values, at, id);
  }

  list(filter: ReservationFilter): ReservationRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.municipalities !== 'all') {
      where.push('municipality_id IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.municipalities));
    }
    if (filter.lockerId) {
      where.push('locker_id = ?');
      params.push(filter.lockerId);
    }
    if (filter.states) {
      where.push('state IN (SELECT value FROM json_each(?))');
      params.push(JSON.stringify(filter.states));
    }
    const rows = this.db
      .prepare(
        `SELECT ${columns} FROM reservations ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC LIMIT ?`,
      )
      .all(...params, filter.limit ?? 500) as Row[];
    return rows.map(toRecord);
  }

  /** Reservations the scheduler looks at: waiting in a locker, or out on loan. */
  active(): ReservationRecord[] {
    return (
      this.db
        .prepare(`SELECT ${columns} FROM reservations WHERE state IN ('loaded','notified','picked_up')`)
        .all() as Row[]
    ).map(toRecord);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM reservations').get() as { n: number }).n;
  }
}
