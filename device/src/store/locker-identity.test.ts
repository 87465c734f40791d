import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DeviceStore } from './device-store.ts';
import { claimIdentity, lastEventSeq, recoverIdentity } from './locker-identity.ts';
import { backupDatabase } from './store-backup.ts';

const newPath = () => join(mkdtempSync(join(tmpdir(), 'locker-identity-')), 'device.db');
const appendEvents = (store: DeviceStore, n: number) =>
  store.transaction(() => {
    for (let i = 0; i < n; i++) store.outbox.append(`e-${Math.random()}`, (seq) => `{"seq":${seq}}`);
  });

describe('locker identity in the database', () => {
  it('claims a new database for an uncommissioned locker and knows it at the next start', () => {
    const path = newPath();
    const store = DeviceStore.open(path);
    claimIdentity(store, 'ieper-1', false);
    store.close();
    const again = DeviceStore.open(path);
    expect(() => claimIdentity(again, 'ieper-1', true)).not.toThrow();
    again.close();
  });

  it('refuses a new or emptied database when the locker was commissioned, naming the recovery command', () => {
    const store = DeviceStore.open(newPath());
    expect(() => claimIdentity(store, 'ieper-1', true)).toThrow(/LOCKER_STATE_LOST.*recover --config/);
    store.close();
  });

  it("refuses another locker's database", () => {
    const store = DeviceStore.open(newPath());
    claimIdentity(store, 'ieper-1', false);
    expect(() => claimIdentity(store, 'ieper-2', false)).toThrow(
      /LOCKER_STATE_LOST.*"ieper-1", not "ieper-2"/,
    );
    store.close();
  });

  it('recovery claims the database and continues the event sequence above the given number', () => {
    const store = DeviceStore.open(newPath());
    recoverIdentity(store, 'ieper-1', 418, new Date(0).toISOString());
    appendEvents(store, 1);
    expect(lastEventSeq(store)).toBe(419);
    expect(() => claimIdentity(store, 'ieper-1', true)).not.toThrow();
    store.close();
  });

  it('a file that is not a database is STORE_DAMAGED', () => {
    const path = newPath();
    writeFileSync(path, Buffer.alloc(4096, 0x5a));
    expect(() => DeviceStore.open(path)).toThrow(/STORE_DAMAGED/);
  });
});

describe('online backup (SQLite backup API)', () => {
  it('holds every committed write of a live WAL database; a copy of the main file alone holds none of them', async () => {
    const path = newPath();
    const store = DeviceStore.open(path);
    claimIdentity(store, 'ieper-1', false);
    appendEvents(store, 3);
    const fileCopy = `${path}.copy`;
    copyFileSync(path, fileCopy);
    const target = `${path}.backup`;
    await backupDatabase(path, target);
    store.close();

    const backup = DeviceStore.open(target);
    expect(lastEventSeq(backup)).toBe(3);
    expect(backup.getMeta('locker_id')).toBe('ieper-1');
    expect(backup.quickCheck()).toEqual([]);
    backup.close();
    const copy = new Database(fileCopy);
    const tables = copy.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'outbox'").get() as {
      n: number;
    };
    expect(tables.n).toBe(0);
    copy.close();
  });
});
