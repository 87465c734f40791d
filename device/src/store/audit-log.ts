import type Database from 'better-sqlite3';
import {
  type AuditEntry,
  type AuditHead,
  type AuditRow,
  type AuditVerdict,
  auditGenesisHash,
  auditHash,
  verifyAuditChain,
} from './audit-chain.ts';
import { AuditError } from './audit-error.ts';

const columns =
  'seq, at, compartment, actor_kind AS actorKind, actor_id AS actorId, reason, outcome, prev_hash AS prevHash, hash';

/** The meta key written by migration 2: the first seq whose hash is an HMAC with the audit key. */
export const auditKeyedFromKey = 'audit_keyed_from_seq';

/**
 * Append-only (enforced by triggers) log of every door opening, chained with HMAC-SHA-256 under
 * the audit key, which lives outside the database (secrets.auditKey): whoever holds only the file
 * cannot edit, remove or recompute a row unseen. Rows from before the key existed keep their
 * unkeyed hashes; the first keyed row covers the last of them, so they cannot change either.
 */
export class AuditLog {
  private readonly last: Database.Statement;
  private readonly nextSeq: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly all: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly boundary: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly key: string | undefined,
  ) {
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.nextSeq = db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0) + 1 AS seq",
    );
    this.insert = db.prepare(
      'INSERT INTO audit_log (seq, at, compartment, actor_kind, actor_id, reason, outcome, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.all = db.prepare(`SELECT ${columns} FROM audit_log ORDER BY seq`);
    this.recent = db.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT ?');
    this.boundary = db.prepare('SELECT value FROM meta WHERE key = ?');
  }

  append(entry: AuditEntry): AuditRow {
    const key = this.requireKey();
    const prevHash = (this.last.get() as { hash: string } | undefined)?.hash ?? auditGenesisHash;
    const { seq } = this.nextSeq.get() as { seq: number };
    const hash = auditHash(key, this.keyedFromSeq(), seq, entry, prevHash);
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

  /** The last row (seq 0 and the genesis hash for an empty log). */
  head(): AuditHead {
    const last = this.last.get() as { seq: number; hash: string } | undefined;
    return { seq: last?.seq ?? 0, hash: last?.hash ?? auditGenesisHash, keyedFromSeq: this.keyedFromSeq() };
  }

  /** The hashes of the last `count` rows, oldest first (the head's is last). */
  recentHashes(count: number): string[] {
    return (this.recent.all(count) as { hash: string }[]).map((row) => row.hash).reverse();
  }

  verify(): AuditVerdict {
    const key = this.requireKey();
    const keyedFromSeq = this.storedKeyedFromSeq();
    if (keyedFromSeq === undefined)
      return { intact: false, rows: 0, brokenAtSeq: 1, why: `the ${auditKeyedFromKey} mark is missing` };
    return verifyAuditChain(this.all.iterate() as Iterable<AuditRow>, key, keyedFromSeq);
  }

  private storedKeyedFromSeq(): number | undefined {
    const row = this.boundary.get(auditKeyedFromKey) as { value: string } | undefined;
    return row ? Number(row.value) : undefined;
  }

  private keyedFromSeq(): number {
    const keyedFromSeq = this.storedKeyedFromSeq();
    if (keyedFromSeq === undefined)
      throw new AuditError('AUDIT_BOUNDARY_MISSING', 'the audit log cannot say which rows are keyed');
    return keyedFromSeq;
  }

  private requireKey(): string {
    if (!this.key) throw new AuditError('AUDIT_KEY_MISSING', 'no audit key');
    return this.key;
  }
}
