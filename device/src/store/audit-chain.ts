import { createHash, createHmac } from 'node:crypto';

export interface AuditEntry {
  at: string;
  compartment: number;
  actorKind: string;
  actorId: string | null;
  reason: string;
  outcome: string;
}

export interface AuditRow extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

/** The chain's last row: sent to the fleet with telemetry, which alarms when a later head does not extend it. */
export interface AuditHead {
  seq: number;
  hash: string;
  /** Rows before this seq carry the unkeyed hashes written before the audit key existed (migration 2). */
  keyedFromSeq: number;
}

export const auditGenesisHash = '0'.repeat(64);

function fields(seq: number, entry: AuditEntry, prevHash: string): string {
  return JSON.stringify([
    seq,
    entry.at,
    entry.compartment,
    entry.actorKind,
    entry.actorId ?? '',
    entry.reason,
    entry.outcome,
    prevHash,
  ]);
}

/** Rows written before the audit key existed: SHA-256 with no key (anyone can recompute it). */
export function unkeyedAuditHash(seq: number, entry: AuditEntry, prevHash: string): string {
  return createHash('sha256')
    .update(fields(seq, entry, prevHash))
    .digest('hex');
}

/**
 * Each row's HMAC covers its content, the previous row's hash and where keying began: an edit, a
 * removal, or a chain recomputed without the key breaks it, and so does moving the keyed boundary.
 */
export function auditHash(
  key: string,
  keyedFromSeq: number,
  seq: number,
  entry: AuditEntry,
  prevHash: string,
): string {
  return createHmac('sha256', key)
    .update(`locker-audit/v2 keyed-from ${keyedFromSeq}\n`)
    .update(fields(seq, entry, prevHash))
    .digest('hex');
}

export type AuditVerdict =
  | { intact: true; rows: number }
  | { intact: false; rows: number; brokenAtSeq: number; why: string };

export function verifyAuditChain(rows: Iterable<AuditRow>, key: string, keyedFromSeq: number): AuditVerdict {
  let prevHash = auditGenesisHash;
  let expectedSeq: number | undefined;
  let count = 0;
  for (const row of rows) {
    count++;
    if (expectedSeq !== undefined && row.seq !== expectedSeq)
      return { intact: false, rows: count, brokenAtSeq: row.seq, why: `row ${expectedSeq} is missing` };
    if (row.prevHash !== prevHash)
      return { intact: false, rows: count, brokenAtSeq: row.seq, why: 'previous hash does not match' };
    const expected =
      row.seq < keyedFromSeq
        ? unkeyedAuditHash(row.seq, row, row.prevHash)
        : auditHash(key, keyedFromSeq, row.seq, row, row.prevHash);
    if (expected !== row.hash)
      return { intact: false, rows: count, brokenAtSeq: row.seq, why: 'row content does not match its hash' };
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
  }
  return { intact: true, rows: count };
}
