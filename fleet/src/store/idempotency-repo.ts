import type Database from 'better-sqlite3';

/** A creation answered once for (principal, key): the same key again gets the same reservation. */
export interface IdempotencyRecord {
  /** `user:<id>` or `token:<id>`: keys are per caller, never shared. */
  principal: string;
  key: string;
  /** SHA-256 of the request body: the same key with another body is refused. */
  requestHash: string;
  reservationId: string;
  createdAt: string;
}

const columns =
  'principal, key, request_hash AS requestHash, reservation_id AS reservationId, created_at AS createdAt';

/** Idempotency keys of reservation creations, kept in SQLite so that a restart keeps them. */
export class IdempotencyRepo {
  constructor(private readonly db: Database.Database) {}

  find(principal: string, key: string): IdempotencyRecord | undefined {
    return this.db
      .prepare(`SELECT ${columns} FROM idempotency_keys WHERE principal = ? AND key = ?`)
      .get(principal, key) as IdempotencyRecord | undefined;
  }

  insert(record: IdempotencyRecord): void {
    this.db
      .prepare(
        `INSERT INTO idempotency_keys (principal, key, request_hash, reservation_id, created_at)
         VALUES (@principal, @key, @requestHash, @reservationId, @createdAt)`,
      )
      .run(record);
  }

  /** Forgets keys created before `before` (ISO time); returns how many. */
  purgeBefore(before: string): number {
    return this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(before).changes;
  }
}
