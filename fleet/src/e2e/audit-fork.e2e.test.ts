import { randomUUID } from 'node:crypto';
import { createTestFleet, startLockerAt, until } from '@locker/test-kit/fleet';
import { auditHash, type LockerRig, rewriteAuditLog, rigAuditKey } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';

const lockerId = 'ieper-bib-1';
let fleet: Fleet;
let rig: LockerRig;

/** The device's own store and sync (the runtime in this process): the thief's file and the next telemetry. */
const device = () => {
  const inProcess = rig.inProcess!;
  return { store: inProcess.openStore!, sync: inProcess.fleetSync! };
};

/** A disable or enable from the fleet: one audited change at the locker, no door involved. */
async function audited(type: 'disable' | 'enable', compartment: number): Promise<void> {
  const before = device().store.audit.head().seq;
  await fleet.link.sendCommand(
    lockerId,
    {
      v: 1,
      requestId: randomUUID(),
      type,
      compartment,
      reason: 'audit fork test',
      by: 'it-1',
    },
    () => {},
  );
  await until(() => device().store.audit.head().seq === before + 1, `${type} ${compartment} audited`, 15_000);
}

/** Sends telemetry now and waits until the fleet holds the locker's current head. */
async function telemetry(): Promise<void> {
  const { seq, hash } = device().store.audit.head();
  device().sync.publishTelemetry();
  await until(
    () => {
      const head = fleet.store.auditHeads.last(lockerId);
      return head?.seq === seq && head.hash === hash;
    },
    `audit head ${seq} at the fleet`,
    15_000,
  );
}

const forkAlarms = () => fleet.store.lockers.openAlarms([lockerId]).filter((a) => a.code === 'audit_fork');

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  rig = await startLockerAt(fleet, lockerId, 'ieper');
  await until(() => fleet.store.lockers.get(lockerId)?.online === true, 'locker online', 30_000);
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  await fleet?.stop();
});

describe('locker audit chain head at the fleet', () => {
  it('raises audit_fork when the locker’s audit rows are removed and the chain recomputed with the key', async () => {
    await audited('disable', 1);
    await audited('enable', 1);
    await audited('disable', 2);
    await audited('enable', 2);
    await telemetry();
    expect(fleet.store.auditHeads.last(lockerId)).toMatchObject({ seq: 4, keyedFromSeq: 1 });
    await audited('disable', 3);
    await telemetry();
    expect(forkAlarms()).toEqual([]);

    // a thief with root and the audit key, but not the fleet: the remote disable of compartment 2 goes
    const { store } = device();
    rewriteAuditLog(store.db, [3], (seq, entry, prev) => auditHash(rigAuditKey, 1, seq, entry, prev));
    expect(store.audit.verify()).toEqual({ intact: true, rows: 4 });
    // and covers the gap with new rows, so the head moves on past where the fleet saw it
    await audited('enable', 3);
    await audited('disable', 4);
    await telemetry();
    expect(forkAlarms()).toHaveLength(1);
    expect(forkAlarms()[0]).toMatchObject({ lockerId, kind: 'alarm', compartment: null });
    expect(fleet.auditHeads.counters.forks).toBe(1);
  }, 90_000);
});
