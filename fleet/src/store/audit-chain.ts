import { createHash, createHmac } from 'node:crypto';

/** One row of the fleet's audit table as it is hashed (`data` as stored, JSON text). */
export interface ChainedAuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  municipalityId: string | null;
  target: string | null;
  data: string;
  prevHash: string | null;
  hash: string | null;
}

export const fleetAuditGenesisHash = '0'.repeat(64);

/** The fleet's audit key, derived from the master key: a copy of fleet.db alone cannot re-sign the chain. */
export function fleetAuditKey(masterKey: string): string {
  return createHmac('sha256', masterKey).update('locker-fleet-audit-chain/v1').digest('hex');
}

function fields(row: Omit<ChainedAuditRow, 'prevHash' | 'hash'>, prevHash: string): string {
  return JSON.stringify([
    row.seq,
    row.at,
    row.actor,
    row.action,
    row.municipalityId ?? '',
    row.target ?? '',
    row.data,
    prevHash,
  ]);
}

/** Rows from before migration 2 carry no hash; the chain runs through them with SHA-256, so the first keyed row covers them. */
export function legacyAuditHash(row: Omit<ChainedAuditRow, 'prevHash' | 'hash'>, prevHash: string): string {
  return createHash('sha256').update(fields(row, prevHash)).digest('hex');
}

export function fleetAuditHash(
  key: string,
  keyedFromSeq: number,
  row: Omit<ChainedAuditRow, 'prevHash' | 'hash'>,
  prevHash: string,
): string {
  return createHmac('sha256', key)
    .update(`fleet-audit/v2 keyed-from ${keyedFromSeq}\n`)
    .update(fields(row, prevHash))
    .digest('hex');
}

export type FleetAuditVerdict =
  | { intact: true; rows: number }
  | { intact: false; rows: number; brokenAtSeq: number; why: string };

/** Walks the whole table in seq order: a gap, an edited row, or a hash not made with the key breaks it. */
export function verifyFleetAuditChain(
  rows: Iterable<ChainedAuditRow>,
  key: string,
  keyedFromSeq: number,
): FleetAuditVerdict {
  let prevHash = fleetAuditGenesisHash;
  let expectedSeq: number | undefined;
  let count = 0;
  const broken = (seq: number, why: string): FleetAuditVerdict => ({
    intact: false,
    rows: count,
    brokenAtSeq: seq,
    why,
  });
  for (const row of rows) {
    count++;
    if (expectedSeq !== undefined && row.seq !== expectedSeq)
      return broken(row.seq, `row ${expectedSeq} is missing`);
    if (row.seq < keyedFromSeq) {
      prevHash = legacyAuditHash(row, prevHash);
    } else {
      if (row.prevHash !== prevHash) return broken(row.seq, 'previous hash does not match');
      if (fleetAuditHash(key, keyedFromSeq, row, prevHash) !== row.hash)
        return broken(row.seq, 'row content does not match its hash');
      prevHash = row.hash;
    }
    expectedSeq = row.seq + 1;
  }
  return { intact: true, rows: count };
}
