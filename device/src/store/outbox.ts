/** One outgoing message, durable until the fleet acknowledged that it applied it. */
export interface OutboxEntry {
  seq: number;
  id: string;
  payload: string;
}

/**
 * The device's durable queue of events for the fleet. `append` runs inside the caller's
 * transaction; `acknowledge` removes an entry only when the fleet says it applied that very
 * event (sequence number and id both match).
 */
export interface Outbox {
  append(id: string, payloadFor: (seq: number) => string): OutboxEntry;
  /** The oldest entries after `seq`, in order. */
  peekAfter(seq: number, limit: number): OutboxEntry[];
  /** True when the entry was there and is now gone. */
  acknowledge(seq: number, id: string): boolean;
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

  peekAfter(seq: number, limit: number): OutboxEntry[] {
    return this.entries.filter((e) => e.seq > seq).slice(0, limit);
  }

  acknowledge(seq: number, id: string): boolean {
    const index = this.entries.findIndex((e) => e.seq === seq && e.id === id);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }

  depth(): number {
    return this.entries.length;
  }
}
