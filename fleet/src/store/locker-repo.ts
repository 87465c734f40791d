import type { ReservationChange, Telemetry } from '@locker/protocol';
import type Database from 'better-sqlite3';

export interface LockerRecord {
  id: string;
  municipalityId: string;
  siteId: string | null;
  name: string;
  mqttHash: string;
  codeKeyBox: string;
  createdAt: string;
  online: boolean;
  lastSeen: string | null;
  software: string | null;
  bootId: string | null;
  telemetry: Telemetry | null;
  appliedVersion: number;
  lastSeq: number;
  /** Set when the locker was taken out of service: its logins are refused, its history is kept. */
  decommissionedAt: string | null;
  decommissionReason: string | null;
}

export interface CompartmentRecord {
  lockerId: string;
  number: number;
  size?: string | null;
  state: string;
  door: string;
  reservationId: string | null;
  fault: string | null;
  updatedAt: string;
}

export interface AlarmRecord {
  id: string;
  lockerId: string;
  compartment: number | null;
  kind: 'fault' | 'alarm';
  code: string;
  at: string;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
}

/** Distributive Omit, so each change kind keeps its own fields. */
export type ChangeBody = ReservationChange extends infer C
  ? C extends ReservationChange
    ? Omit<C, 'v' | 'version'>
    : never
  : never;

const lockerColumns = `id, municipality_id AS municipalityId, site_id AS siteId, name, mqtt_hash AS mqttHash,
  code_key_box AS codeKeyBox, created_at AS createdAt, online, last_seen AS lastSeen, software, boot_id AS bootId,
  telemetry, applied_version AS appliedVersion, last_seq AS lastSeq, decommissioned_at AS decommissionedAt,
  decommission_reason AS decommissionReason`;

type LockerRow = Omit<LockerRecord, 'online' | 'telemetry'> & { online: number; telemetry: string | null };
const toLocker = (row: LockerRow): LockerRecord => ({
  ...row,
  online: row.online === 1,
  telemetry: row.telemetry ? (JSON.parse(row.telemetry) as Telemetry) : null,
});

/** Lockers, what they report (presence, telemetry, compartments, alarms), their change log and commands. */
export class LockerRepo {
  constructor(private readonly db: Database.Database) {}

  insert(
    locker: Pick<
      LockerRecord,
      'id' | 'municipalityId' | 'siteId' | 'name' | 'mqttHash' | 'codeKeyBox' | 'createdAt'
    >,
  ): void {
    this.db
      .prepare(
        `INSERT INTO lockers (id, municipality_id, site_id, name, mqtt_hash, code_key_box, created_at)
         VALUES (@id, @municipalityId, @siteId, @name, @mqttHash, @codeKeyBox, @createdAt)`,
      )
      .run(locker);
  }

  get(id: string): LockerRecord | undefined {
    const row = this.db.prepare(`SELECT ${lockerColumns} FROM lockers WHERE id = ?`).get(id) as
      | LockerRow
      | undefined;
    return row ? toLocker(row) : undefined;
  }

  list(municipalities: readonly string[] | 'all'): LockerRecord[] {
    const rows = (
      municipalities === 'all'
        ? this.db.prepare(`SELECT ${lockerColumns} FROM lockers ORDER BY id`).all()
        : this.db
            .prepare(
              `SELECT ${lockerColumns} FROM lockers WHERE municipality_id IN (SELECT value FROM json_each(?)) ORDER BY id`,
            )
            .all(JSON.stringify(municipalities))
    ) as LockerRow[];
    return rows.map(toLocker);
  }

  setCredential(id: string, mqttHash: string): void {
    this.db.prepare('UPDATE lockers SET mqtt_hash = ? WHERE id = ?').run(mqttHash, id);
  }

  /** Marks the locker decommissioned once; false when it already was. */
  decommission(id: string, reason: string, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE lockers SET decommissioned_at = ?, decommission_reason = ? WHERE id = ? AND decommissioned_at IS NULL',
        )
        .run(at, reason, id).changes === 1
    );
  }

  setPresence(
    id: string,
    presence: { online: boolean; software?: string; bootId: string; at: string },
  ): void {
    this.db
      .prepare(
        'UPDATE lockers SET online = ?, software = COALESCE(?, software), boot_id = ?, last_seen = ? WHERE id = ?',
      )
      .run(presence.online ? 1 : 0, presence.software ?? null, presence.bootId, presence.at, id);
  }

  /** Keeps the latest telemetry (without the compartment list, which goes to its own table). */
  setTelemetry(id: string, telemetry: Telemetry, at: string): void {
    const { compartments, ...rest } = telemetry;
    this.db
      .prepare('UPDATE lockers SET telemetry = ?, last_seen = ? WHERE id = ?')
      .run(JSON.stringify(rest), at, id);
    if (!compartments) return;
    const upsert = this.db.prepare(
      `INSERT INTO compartments (locker_id, number, size, state, door, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (locker_id, number) DO UPDATE SET size = excluded.size, state = excluded.state, door = excluded.door,
         updated_at = excluded.updated_at`,
    );
    for (const c of compartments) upsert.run(id, c.number, c.size, c.state, c.door, at);
  }

  setAppliedVersion(id: string, version: number): void {
    this.db
      .prepare('UPDATE lockers SET applied_version = MAX(applied_version, ?) WHERE id = ?')
      .run(version, id);
  }

  setLastSeq(id: string, seq: number): void {
    this.db.prepare('UPDATE lockers SET last_seq = MAX(last_seq, ?) WHERE id = ?').run(seq, id);
  }

  /**
   * Appends a change to the locker's log with the next version, or at `atLeast` when that is
   * higher (a snapshot that must overtake what a locker already holds); the caller publishes it.
   */
  appendChange(lockerId: string, body: ChangeBody, at: string, atLeast = 0): ReservationChange {
    const next = this.latestVersion(lockerId) + 1;
    const change = { v: 1, version: Math.max(next, atLeast), ...body } as ReservationChange;
    this.db
      .prepare('INSERT INTO locker_changes (locker_id, version, payload, created_at) VALUES (?, ?, ?, ?)')
      .run(lockerId, change.version, JSON.stringify(change), at);
    return change;
  }

  latestVersion(lockerId: string): number {
    return (
      this.db
        .prepare('SELECT COALESCE(MAX(version), 0) AS version FROM locker_changes WHERE locker_id = ?')
        .get(lockerId) as { version: number }
    ).version;
  }

  changesSince(lockerId: string, version: number): ReservationChange[] {
    return (
      this.db
        .prepare('SELECT payload FROM locker_changes WHERE locker_id = ? AND version > ? ORDER BY version')
        .all(lockerId, version) as { payload: string }[]
    ).map((r) => JSON.parse(r.payload) as ReservationChange);
  }

  upsertCompartment(c: CompartmentRecord): void {
    this.db
      .prepare(
        `INSERT INTO compartments (locker_id, number, state, door, reservation_id, fault, updated_at)
         VALUES (@lockerId, @number, @state, @door, @reservationId, @fault, @updatedAt)
         ON CONFLICT (locker_id, number) DO UPDATE SET state = excluded.state, door = excluded.door,
           reservation_id = excluded.reservation_id, fault = excluded.fault, updated_at = excluded.updated_at`,
      )
      .run({
        lockerId: c.lockerId,
        number: c.number,
        state: c.state,
        door: c.door,
        reservationId: c.reservationId,
        fault: c.fault,
        updatedAt: c.updatedAt,
      });
  }

  compartment(lockerId: string, number: number): CompartmentRecord | undefined {
    return this.db
      .prepare(
        `SELECT locker_id AS lockerId, number, size, state, door, reservation_id AS reservationId, fault, updated_at AS updatedAt
         FROM compartments WHERE locker_id = ? AND number = ?`,
      )
      .get(lockerId, number) as CompartmentRecord | undefined;
  }

  compartments(lockerId: string): CompartmentRecord[] {
    return this.db
      .prepare(
        `SELECT locker_id AS lockerId, number, size, state, door, reservation_id AS reservationId, fault, updated_at AS updatedAt
         FROM compartments WHERE locker_id = ? ORDER BY number`,
      )
      .all(lockerId) as CompartmentRecord[];
  }

  insertAlarm(alarm: Omit<AlarmRecord, 'acknowledgedBy' | 'acknowledgedAt'>): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO alarms (id, locker_id, compartment, kind, code, at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(alarm.id, alarm.lockerId, alarm.compartment, alarm.kind, alarm.code, alarm.at);
  }

  openAlarms(lockerIds: readonly string[]): AlarmRecord[] {
    return this.db
      .prepare(
        `SELECT id, locker_id AS lockerId, compartment, kind, code, at, acknowledged_by AS acknowledgedBy,
           acknowledged_at AS acknowledgedAt
         FROM alarms WHERE acknowledged_at IS NULL AND locker_id IN (SELECT value FROM json_each(?)) ORDER BY at DESC`,
      )
      .all(JSON.stringify(lockerIds)) as AlarmRecord[];
  }

  alarm(id: string): AlarmRecord | undefined {
    return this.db
      .prepare(
        `SELECT id, locker_id AS lockerId, compartment, kind, code, at, acknowledged_by AS acknowledgedBy,
           acknowledged_at AS acknowledgedAt FROM alarms WHERE id = ?`,
      )
      .get(id) as AlarmRecord | undefined;
  }

  acknowledgeAlarm(id: string, by: string, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE alarms SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL',
        )
        .run(by, at, id).changes === 1
    );
  }

  insertCommand(command: {
    requestId: string;
    lockerId: string;
    type: string;
    compartment: number | null;
    reason: string;
    by: string;
    at: string;
  }): void {
    this.db
      .prepare(
        'INSERT INTO commands (request_id, locker_id, type, compartment, reason, by_user, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        command.requestId,
        command.lockerId,
        command.type,
        command.compartment,
        command.reason,
        command.by,
        command.at,
      );
  }

  answerCommand(lockerId: string, requestId: string, ok: boolean, code: string | null, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE commands SET ok = ?, result_code = ?, answered_at = ? WHERE request_id = ? AND locker_id = ? AND answered_at IS NULL',
        )
        .run(ok ? 1 : 0, code, at, requestId, lockerId).changes === 1
    );
  }

  command(requestId: string): { ok: number | null; resultCode: string | null; lockerId: string } | undefined {
    return this.db
      .prepare(
        'SELECT ok, result_code AS resultCode, locker_id AS lockerId FROM commands WHERE request_id = ?',
      )
      .get(requestId) as { ok: number | null; resultCode: string | null; lockerId: string } | undefined;
  }
}
