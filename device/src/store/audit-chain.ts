import { createHash } from 'node:crypto';

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

export const auditGenesisHash = '0'.repeat(64);

/** Each row's hash covers its content and the previous row's hash: an edit or a removal breaks the chain. */
export function auditHash(seq: number, entry: AuditEntry, prevHash: string): string {
  const fields = [
    seq,
    entry.at,
    entry.compartment,
    entry.actorKind,
    entry.actorId ?? '',
    entry.reason,
    entry.outcome,
    prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export type AuditVerdict =
  | { intact: true; rows: number }
  | { intact: false; rows: number; brokenAtSeq: number; why: string };

export function verifyAuditChain(rows: Iterable<AuditRow>): AuditVerdict {
  let prevHash = auditGenesisHash;
  let expectedSeq: number | undefined;
  let count = 0;
  for (const row of rows) {
    count++;
    if (expectedSeq !== undefined && row.seq !== expectedSeq)
      return { intact: false, rows: count, brokenAtSeq: row.seq, why: `row ${expectedSeq} is missing` };
    if (row.prevHash !== prevHash)
      return { intact: false, rows: count, brokenAtSeq: row.seq, why: 'previous hash does not match' };
    if (auditHash(row.seq, row, row.prevHash) !== row.hash)
      return { intact: false, rows: count, brokenAtSeq: row.seq, why: 'row content does not match its hash' };
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
  }
  return { intact: true, rows: count };
}
