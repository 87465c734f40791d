import type Database from 'better-sqlite3';
import { FleetError } from '../services/fleet-errors.ts';
import {
  type ChainedAuditRow,
  type FleetAuditVerdict,
  fleetAuditGenesisHash,
  fleetAuditHash,
  legacyAuditHash,
  verifyFleetAuditChain,
} from './audit-chain.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  municipalityId: string | null;
  target: string | null;
  data: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  at: string;
}

const chainColumns =
  'seq, at, actor, action, municipality_id AS municipalityId, target, data, prev_hash AS prevHash, hash';

/**
 * Every change made through the fleet, append-only (triggers refuse UPDATE and DELETE) and chained
 * with HMAC-SHA-256 under a key derived from the master key (each row covers the previous one):
 * whoever edits fleet.db with the triggers dropped is found by {@link verify}.
 */
export class AuditRepo {
  constructor(
    private readonly db: Database.Database,
    private readonly key: string | undefined,
  ) {}

  append(entry: AuditEntry, at = new Date().toISOString()): void {
    const key = this.requireKey();
    const keyedFromSeq = this.keyedFromSeq();
    const { seq } = this.db
      .prepare("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'audit'), 0) + 1 AS seq")
      .get() as { seq: number };
    const row = {
      seq,
      at,
      actor: entry.actor,
      action: entry.action,
      municipalityId: entry.municipalityId,
      target: entry.target,
      data: JSON.stringify(entry.data),
    };
    const prevHash = this.lastHash();
    this.db
      .prepare(
        'INSERT INTO audit (seq, at, actor, action, municipality_id, target, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        seq,
        at,
        row.actor,
        row.action,
        row.municipalityId,
        row.target,
        row.data,
        prevHash,
        fleetAuditHash(key, keyedFromSeq, row, prevHash),
      );
  }

  list(filter: { municipalities: readonly string[] | 'all'; limit: number }): AuditRecord[] {
    const scoped = filter.municipalities !== 'all';
    const rows = this.db
      .prepare(
        `SELECT seq, at, actor, action, municipality_id AS municipalityId, target, data FROM audit
         ${scoped ? `WHERE municipality_id IN (SELECT value FROM json_each(?))` : ''}
         ORDER BY seq DESC LIMIT ?`,
      )
      .all(...(scoped ? [JSON.stringify(filter.municipalities)] : []), filter.limit) as (Omit<
      AuditRecord,
      'data'
    > & { data: string })[];
    return rows.map((r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  verify(): FleetAuditVerdict {
    const key = this.requireKey();
    const mark = this.db.prepare('SELECT keyed_from_seq AS seq FROM audit_chain WHERE id = 1').get() as
      | { seq: number }
      | undefined;
    if (!mark) return { intact: false, rows: 0, brokenAtSeq: 1, why: 'the audit_chain mark is missing' };
    const rows = this.db.prepare(`SELECT ${chainColumns} FROM audit ORDER BY seq`).iterate();
    return verifyFleetAuditChain(rows as Iterable<ChainedAuditRow>, key, mark.seq);
  }

  /** The last row's hash; right after migration 2 the running hash of the unkeyed rows before it. */
  private lastHash(): string {
    const last = this.db.prepare('SELECT hash FROM audit ORDER BY seq DESC LIMIT 1').get() as
      | { hash: string | null }
      | undefined;
    if (!last) return fleetAuditGenesisHash;
    if (last.hash) return last.hash;
    let running = fleetAuditGenesisHash;
    for (const row of this.db.prepare(`SELECT ${chainColumns} FROM audit ORDER BY seq`).iterate())
      running = legacyAuditHash(row as ChainedAuditRow, running);
    return running;
  }

  private keyedFromSeq(): number {
    const mark = this.db.prepare('SELECT keyed_from_seq AS seq FROM audit_chain WHERE id = 1').get() as
      | { seq: number }
      | undefined;
    if (!mark)
      throw new FleetError('AUDIT_MARK_MISSING', 'the audit_chain mark is missing; restore a backup');
    return mark.seq;
  }

  private requireKey(): string {
    if (!this.key)
      throw new FleetError(
        'AUDIT_KEY_MISSING',
        'the store was opened without the audit key (derived from secrets.masterKey)',
      );
    return this.key;
  }
}
