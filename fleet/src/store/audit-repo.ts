import type Database from 'better-sqlite3';

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

/** Every change made through the fleet, append-only (triggers refuse UPDATE and DELETE). */
export class AuditRepo {
  constructor(private readonly db: Database.Database) {}

  append(entry: AuditEntry, at = new Date().toISOString()): void {
    this.db
      .prepare(
        'INSERT INTO audit (at, actor, action, municipality_id, target, data) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(at, entry.actor, entry.action, entry.municipalityId, entry.target, JSON.stringify(entry.data));
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
}
