import { type AuditEntry, auditGenesisHash } from '@locker/device';
import type Database from 'better-sqlite3';

export type AuditRehash = (seq: number, entry: AuditEntry, prevHash: string) => string;

/**
 * What an insider with the database file does to hide door openings: drops the triggers, removes
 * rows, renumbers the rest and recomputes every hash with `rehash` (with or without the audit key).
 */
export function rewriteAuditLog(
  db: Database.Database,
  removedSeqs: readonly number[],
  rehash: AuditRehash,
): void {
  db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
  const kept = (
    db
      .prepare(
        'SELECT seq, at, compartment, actor_kind AS actorKind, actor_id AS actorId, reason, outcome FROM audit_log ORDER BY seq',
      )
      .all() as (AuditEntry & { seq: number })[]
  ).filter((row) => !removedSeqs.includes(row.seq));
  const insert = db.prepare(
    'INSERT INTO audit_log (seq, at, compartment, actor_kind, actor_id, reason, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    db.prepare('DELETE FROM audit_log').run();
    let prevHash = auditGenesisHash;
    kept.forEach(({ seq: _old, ...entry }, i) => {
      const seq = i + 1;
      const hash = rehash(seq, entry, prevHash);
      insert.run(
        seq,
        entry.at,
        entry.compartment,
        entry.actorKind,
        entry.actorId,
        entry.reason,
        entry.outcome,
        prevHash,
        hash,
      );
      prevHash = hash;
    });
    db.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'audit_log'").run(kept.length);
  })();
}
