import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '@locker/test-kit/locker';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompartmentConfig } from '../config/device-config.ts';
import type {
  LockAddress,
  LockBus,
  LockBusCounters,
  LockBusEvents,
  LockState,
  UnlockResult,
} from '../lockbus/lock-bus.ts';
import { DeviceStore } from '../store/device-store.ts';
import { DoorKeeper, doorKeeperDefaults } from './door-keeper.ts';
import { EventRecorder } from './event-recorder.ts';

/** A bus whose every unlock is confirmed at once (the door seen open). */
class OpeningBus extends EventEmitter<LockBusEvents> implements LockBus {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async unlock(lock: LockAddress): Promise<UnlockResult> {
    return { ...lock, acknowledged: true, roundTripMs: 10 };
  }
  async readLock(): Promise<LockState> {
    return { board: 0, lock: 1, door: 'closed', itemPresent: undefined };
  }
  async readAll(): Promise<LockState[]> {
    return [await this.readLock()];
  }
  counters(): LockBusCounters {
    return {} as LockBusCounters;
  }
  health() {
    return { ok: true, failedPollsInRow: 0, sinceLastGoodReplyMs: null };
  }
}

const compartment: CompartmentConfig = {
  number: 1,
  board: 0,
  lock: 1,
  size: 'S',
  doorSensor: true,
  itemSensor: false,
  position: { column: 1, row: 'middle' } as CompartmentConfig['position'],
};
const hour = 3_600_000;

let keeper: DoorKeeper | undefined;
afterEach(() => {
  keeper?.stop();
  vi.useRealTimers();
});

describe('DoorKeeper door-left-open timing', () => {
  it('runs on the monotonic clock: reminder at 30 s and one alarm at 120 s, with the wall clock stepped back and forward 1 h', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const clock = new TestClock();
    const store = DeviceStore.open(join(mkdtempSync(join(tmpdir(), 'door-keeper-clock-')), 'device.db'), {
      auditKey: 'a'.repeat(48),
    });
    keeper = new DoorKeeper({
      store,
      bus: new OpeningBus(),
      recorder: new EventRecorder(store, 'test-locker', () => clock.wall()),
      compartments: [compartment],
      timing: { reminderMs: 30_000, alarmMs: 120_000 },
      logger: pino({ level: 'silent' }),
      clock,
    });
    await keeper.start();
    const reminders: number[] = [];
    keeper.on('reminder', ({ compartment }) => reminders.push(compartment));
    const alarms = () =>
      store.outbox
        .peekAfter(0, 100)
        .map((e) => JSON.parse(e.payload) as { type: string; data: { code?: string; openForS?: number } })
        .filter((e) => e.type === 'alarm' && e.data.code === 'door_left_open');
    const tick = () => vi.advanceTimersByTime(doorKeeperDefaults.tickMs);

    expect(await keeper.open(1, 'pickup', 'res-1', { kind: 'citizen', id: 'res-1' }, 'pickup')).toMatchObject(
      {
        ok: true,
      },
    );
    clock.stepWall(hour);
    tick();
    expect({ reminders, alarms: alarms().length }).toEqual({ reminders: [], alarms: 0 });
    clock.stepWall(-2 * hour);
    clock.advance(30_000 - 1);
    tick();
    expect(reminders).toEqual([]);
    clock.advance(1);
    tick();
    expect(reminders).toEqual([1]);
    clock.stepWall(2 * hour);
    clock.advance(90_000 - 1);
    tick();
    expect(alarms()).toEqual([]);
    clock.advance(1);
    tick();
    tick();
    expect(alarms().map((e) => e.data.openForS)).toEqual([120]);
  });
});
