import type Database from 'better-sqlite3';

/** The last audit chain head a locker reported (telemetry), against which the next one is checked. */
export interface LockerAuditHead {
  seq: number;
  hash: string;
  keyedFromSeq: number;
  at: string;
}

export class AuditHeadRepo {
  constructor(private readonly db: Database.Database) {}

  last(lockerId: string): LockerAuditHead | undefined {
    return this.db
      .prepare(
        'SELECT seq, hash, keyed_from_seq AS keyedFromSeq, at FROM locker_audit_heads WHERE locker_id = ?',
      )
      .get(lockerId) as LockerAuditHead | undefined;
  }

  set(lockerId: string, head: LockerAuditHead): void {
    this.db
      .prepare(
        `INSERT INTO locker_audit_heads (locker_id, seq, hash, keyed_from_seq, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (locker_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash,
           keyed_from_seq = excluded.keyed_from_seq, at = excluded.at`,
      )
      .run(lockerId, head.seq, head.hash, head.keyedFromSeq, head.at);
  }
}
