import type { LockerEvent } from '@locker/protocol';
import type Database from 'better-sqlite3';

/** Locker events, each applied once: the id is the key, a redelivery is a no-op. */
export class EventRepo {
  constructor(private readonly db: Database.Database) {}

  /** True when the event is new (and now stored); false for a redelivery. */
  insertIfNew(event: LockerEvent, receivedAt: string): boolean {
    const result = this.db
      .prepare(
        `INSERT OR IGNORE INTO events (id, locker_id, seq, type, at, compartment, reservation_id, payload, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        event.id,
        event.lockerId,
        event.seq,
        event.type,
        event.at,
        event.compartment ?? null,
        event.reservationId ?? null,
        JSON.stringify(event),
        receivedAt,
      );
    return result.changes === 1;
  }

  recent(lockerIds: readonly string[], limit: number): LockerEvent[] {
    const rows = this.db
      .prepare(
        'SELECT payload FROM events WHERE locker_id IN (SELECT value FROM json_each(?)) ORDER BY received_at DESC, seq DESC LIMIT ?',
      )
      .all(JSON.stringify(lockerIds), limit) as { payload: string }[];
    return rows.map((r) => JSON.parse(r.payload) as LockerEvent);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }
}
