import type Database from 'better-sqlite3';
import type { Outbox, OutboxEntry } from './outbox.ts';

export class SqliteOutbox implements Outbox {
  private readonly insert: Database.Statement;
  private readonly nextSeq: Database.Statement;
  private readonly select: Database.Statement;
  private readonly delete: Database.Statement;
  private readonly count: Database.Statement;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO outbox (seq, id, payload) VALUES (?, ?, ?)');
    // AUTOINCREMENT: a sequence number is never reused, even after the outbox drained empty
    this.nextSeq = db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) + 1 AS seq",
    );
    this.select = db.prepare('SELECT seq, id, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.delete = db.prepare('DELETE FROM outbox WHERE seq = ? AND id = ?');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM outbox');
  }

  append(id: string, payloadFor: (seq: number) => string): OutboxEntry {
    const { seq } = this.nextSeq.get() as { seq: number };
    const payload = payloadFor(seq);
    this.insert.run(seq, id, payload);
    return { seq, id, payload };
  }

  peekAfter(seq: number, limit: number): OutboxEntry[] {
    return this.select.all(seq, limit) as OutboxEntry[];
  }

  acknowledge(seq: number, id: string): boolean {
    return this.delete.run(seq, id).changes === 1;
  }

  depth(): number {
    return (this.count.get() as { n: number }).n;
  }
}
