import type Database from 'better-sqlite3';
import type { Language } from '../domain/item-types.ts';
import type { Channel } from './reservation-repo.ts';

export type NotificationKind = 'ready' | 'pin' | 'expiry_reminder' | 'return_reminder' | 'overdue';

export interface NotificationRecord {
  id: string;
  reservationId: string;
  kind: NotificationKind;
  channel: Channel;
  recipient: string;
  language: Language;
  /** The codes the message carries, sealed, and wiped once the message is out. */
  secretBox: string | null;
  state: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAt: string;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

const columns = `id, reservation_id AS reservationId, kind, channel, recipient, language, secret_box AS secretBox,
  state, attempts, next_at AS nextAt, last_error AS lastError, sent_at AS sentAt, created_at AS createdAt`;

/** The notification queue: due messages, retries with backoff, every attempt kept. */
export class NotificationRepo {
  constructor(private readonly db: Database.Database) {}

  enqueue(n: Omit<NotificationRecord, 'state' | 'attempts' | 'lastError' | 'sentAt'>): void {
    this.db
      .prepare(
        `INSERT INTO notifications (id, reservation_id, kind, channel, recipient, language, secret_box, state, next_at, created_at)
         VALUES (@id, @reservationId, @kind, @channel, @recipient, @language, @secretBox, 'pending', @nextAt, @createdAt)`,
      )
      .run(n);
  }

  due(now: string, limit: number): NotificationRecord[] {
    return this.db
      .prepare(
        `SELECT ${columns} FROM notifications WHERE state = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?`,
      )
      .all(now, limit) as NotificationRecord[];
  }

  markSent(id: string, at: string): void {
    this.db
      .prepare(
        "UPDATE notifications SET state = 'sent', sent_at = ?, attempts = attempts + 1, secret_box = NULL, last_error = NULL WHERE id = ?",
      )
      .run(at, id);
  }

  markAttemptFailed(id: string, error: string, nextAt: string | null): void {
    this.db
      .prepare(
        `UPDATE notifications SET attempts = attempts + 1, last_error = ?, next_at = COALESCE(?, next_at),
           state = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
           secret_box = CASE WHEN ? IS NULL THEN NULL ELSE secret_box END
         WHERE id = ?`,
      )
      .run(error, nextAt, nextAt, nextAt, id);
  }

  /** A newer message for the same reservation replaces pending ones (their codes are no longer valid). */
  supersede(reservationId: string, kind: NotificationKind): void {
    this.db
      .prepare(
        "UPDATE notifications SET state = 'failed', last_error = 'superseded by a newer message', secret_box = NULL WHERE reservation_id = ? AND kind = ? AND state = 'pending'",
      )
      .run(reservationId, kind);
  }

  /** The newest message of each of `reservationIds` (one query for a whole list), without the sealed codes. */
  latestFor(reservationIds: readonly string[]): Map<string, Omit<NotificationRecord, 'secretBox'>> {
    const rows = this.db
      .prepare(
        `SELECT ${columns} FROM notifications WHERE reservation_id IN (SELECT value FROM json_each(?))
         ORDER BY created_at, rowid`,
      )
      .all(JSON.stringify(reservationIds)) as NotificationRecord[];
    return new Map(rows.map(({ secretBox: _s, ...n }) => [n.reservationId, n]));
  }

  forReservation(reservationId: string): NotificationRecord[] {
    return this.db
      .prepare(`SELECT ${columns} FROM notifications WHERE reservation_id = ? ORDER BY created_at`)
      .all(reservationId) as NotificationRecord[];
  }
}
