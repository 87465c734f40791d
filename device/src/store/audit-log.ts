import type Database from 'better-sqlite3';
import {
  type AuditEntry,
  type AuditRow,
  type AuditVerdict,
  auditGenesisHash,
  auditHash,
  verifyAuditChain,
} from './audit-chain.ts';

const columns =
  'seq, at, compartment, actor_kind AS actorKind, actor_id AS actorId, reason, outcome, prev_hash AS prevHash, hash';

/** Append-only (enforced by triggers) and hash-chained log of every door opening. */
export class AuditLog {
  private readonly last: Database.Statement;
  private readonly nextSeq: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly all: Database.Statement;

  constructor(db: Database.Database) {
    this.last = db.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.nextSeq = db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0) + 1 AS seq",
    );
    this.insert = db.prepare(
      'INSERT INTO audit_log (seq, at, compartment, actor_kind, actor_id, reason, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.all = db.prepare(`SELECT ${columns} FROM audit_log ORDER BY seq`);
  }

  append(entry: AuditEntry): AuditRow {
    const prevHash = (this.last.get() as { hash: string } | undefined)?.hash ?? auditGenesisHash;
    const { seq } = this.nextSeq.get() as { seq: number };
    const hash = auditHash(seq, entry, prevHash);
    this.insert.run(
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
    return { ...entry, seq, prevHash, hash };
  }

  rows(): AuditRow[] {
    return this.all.all() as AuditRow[];
  }

  verify(): AuditVerdict {
    return verifyAuditChain(this.all.iterate() as Iterable<AuditRow>);
  }
}
