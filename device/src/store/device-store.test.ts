import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceStore } from './device-store.ts';

const now = '2026-11-24T10:00:00.000Z';
let store: DeviceStore | undefined;
afterEach(() => store?.close());

const dbPath = () => join(mkdtempSync(join(tmpdir(), 'store-')), 'device.db');
const auditKey = 'a'.repeat(48);
const open = (path: string) => DeviceStore.open(path, { auditKey });
const opening = (compartment: number, reason = 'pickup') => ({
  at: now,
  compartment,
  actorKind: 'citizen',
  actorId: 'r-1',
  reason,
  outcome: 'opened',
});

describe('device store', () => {
  it('migrates a new file, keeps state across reopen and uses WAL with synchronous FULL (a pickup survives a power cut)', () => {
    const path = dbPath();
    store = DeviceStore.open(path);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    store.ensureCompartments([1, 2, 3], now);
    store.updateCompartment(2, { state: 'occupied', reservationId: 'r-1', itemPresent: true }, now);
    store.close();
    store = DeviceStore.open(path);
    store.ensureCompartments([1, 2, 3, 4], now);
    expect(store.compartments().map((c) => c.state)).toEqual(['free', 'occupied', 'free', 'free']);
    expect(store.compartment(2)).toMatchObject({ reservationId: 'r-1', itemPresent: true });
  });

  it('refuses a database written by newer software', () => {
    const path = dbPath();
    DeviceStore.open(path).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    expect(() => DeviceStore.open(path)).toThrow(/newer than this software/);
  });

  it('rolls back the state change and its event together', () => {
    store = open(dbPath());
    store.ensureCompartments([1], now);
    const s = store;
    expect(() =>
      s.transaction(() => {
        s.updateCompartment(1, { state: 'occupied' }, now);
        s.outbox.append('e-1', () => '{}');
        throw new Error('crash in the middle');
      }),
    ).toThrow('crash in the middle');
    expect(s.compartment(1)?.state).toBe('free');
    expect(s.outbox.depth()).toBe(0);
  });

  it('keeps the audit log append-only', () => {
    store = open(dbPath());
    store.audit.append(opening(1));
    expect(() => store!.db.prepare("UPDATE audit_log SET reason = 'x'").run()).toThrow(/append-only/);
    expect(() => store!.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(store.audit.verify()).toEqual({ intact: true, rows: 1 });
  });

  it('detects an edited or removed audit row even when the triggers were dropped', () => {
    store = open(dbPath());
    for (let i = 1; i <= 5; i++) store.audit.append(opening(i));
    expect(store.audit.verify()).toEqual({ intact: true, rows: 5 });
    store.db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    store.db.prepare("UPDATE audit_log SET reason = 'remote' WHERE seq = 3").run();
    expect(store.audit.verify()).toMatchObject({
      intact: false,
      brokenAtSeq: 3,
      why: 'row content does not match its hash',
    });
    store.close();

    store = open(dbPath());
    for (let i = 1; i <= 5; i++) store.audit.append(opening(i));
    store.db.exec('DROP TRIGGER audit_log_no_delete;');
    store.db.prepare('DELETE FROM audit_log WHERE seq = 2').run();
    expect(store.audit.verify()).toMatchObject({ intact: false, brokenAtSeq: 3, why: 'row 2 is missing' });
  });

  it('finds reservations and staff only by keyed hash', () => {
    store = open(dbPath());
    const hash = 'b'.repeat(64);
    store.upsertReservation(
      {
        id: 'r-1',
        label: 'RB-1',
        itemType: 'hall_key',
        kind: 'loan',
        size: 'S',
        state: 'ready_to_load',
        pinHash: hash,
        twoFactor: false,
        expiresAt: now,
      },
      now,
    );
    expect(store.reservationByCode('pin_hash', hash)).toMatchObject({
      id: 'r-1',
      twoFactor: false,
      qrHash: null,
    });
    expect(store.reservationByCode('qr_hash', hash)).toBeUndefined();
    store.replaceStaff([{ id: 's-1', display: 'AB', role: 'desk', pinHash: hash }]);
    expect(store.staffByCode('pin_hash', hash)).toEqual({
      id: 's-1',
      display: 'AB',
      role: 'desk',
      pinHash: hash,
    });
    expect(store.staffByCode('badge_hash', hash)).toBeUndefined();
  });
});
