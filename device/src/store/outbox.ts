/** One outgoing message, durable until the broker acknowledged it. */
export interface OutboxEntry {
  seq: number;
  id: string;
  payload: string;
}

/**
 * The device's durable queue of events for the fleet. `append` runs inside the caller's
 * transaction; `remove` only after the broker acknowledged the entry (QoS 1 PUBACK).
 */
export interface Outbox {
  append(id: string, payloadFor: (seq: number) => string): OutboxEntry;
  peek(limit: number): OutboxEntry[];
  remove(seq: number): void;
  depth(): number;
}

/** An outbox in memory, for unit tests of what drains it; same contract as the SQLite one. */
export class MemoryOutbox implements Outbox {
  private readonly entries: OutboxEntry[] = [];
  private lastSeq = 0;

  append(id: string, payloadFor: (seq: number) => string): OutboxEntry {
    if (this.entries.some((e) => e.id === id)) throw new Error(`outbox already holds ${id}`);
    const seq = ++this.lastSeq;
    const entry = { seq, id, payload: payloadFor(seq) };
    this.entries.push(entry);
    return entry;
  }

  peek(limit: number): OutboxEntry[] {
    return this.entries.slice(0, limit);
  }

  remove(seq: number): void {
    const index = this.entries.findIndex((e) => e.seq === seq);
    if (index >= 0) this.entries.splice(index, 1);
  }

  depth(): number {
    return this.entries.length;
  }
}
