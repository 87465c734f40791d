import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '@locker/test-kit/locker';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceStore } from './device-store.ts';
import { StoreHealth } from './store-health.ts';

const hour = 3_600_000;
let health: StoreHealth | undefined;
afterEach(() => health?.stop());

describe('StoreHealth failure span', () => {
  it('counts how long writes failed on the monotonic clock, whatever the wall clock did', () => {
    const clock = new TestClock();
    let diskFull = false;
    const store = DeviceStore.open(join(mkdtempSync(join(tmpdir(), 'store-health-clock-')), 'device.db'), {
      beforeWrite: () => {
        if (diskFull) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      },
    });
    const alarms: Record<string, unknown>[] = [];
    health = new StoreHealth({
      store,
      logger: pino({ level: 'silent' }),
      clock,
      alarm: (data) => alarms.push(data),
      freeBytes: () => 1e12,
    });
    health.start();

    diskFull = true;
    expect(() => store.transaction(() => store.setMeta('x', '1'))).toThrow();
    expect(health.writable).toBe(false);
    clock.stepWall(-hour);
    clock.advance(20_000);
    clock.stepWall(2 * hour);
    diskFull = false;
    health.check();
    expect(health.writable).toBe(true);
    expect(alarms).toEqual([{ code: 'store_write_failed', failedForS: 20, recovered: true }]);
  });
});
