import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompartmentConfig } from '../config/device-config.ts';
import type {
  LockBus,
  LockBusCounters,
  LockBusEvents,
  LockState,
  UnlockResult,
} from '../lockbus/lock-bus.ts';
import { LockBusError, type LockBusErrorCode } from '../lockbus/lock-bus-error.ts';
import { DeviceStore } from '../store/device-store.ts';
import { systemClock } from './clock.ts';
import { DoorKeeper } from './door-keeper.ts';
import { EventRecorder } from './event-recorder.ts';

/** A bus whose every unlock is refused with one code (what the lock bus does for an open door, a suspect board, an offline one). */
class RefusingBus extends EventEmitter<LockBusEvents> implements LockBus {
  constructor(private readonly code: LockBusErrorCode) {
    super();
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async unlock(): Promise<UnlockResult> {
    throw new LockBusError(this.code, 'refused by the bus', 'no');
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

let keeper: DoorKeeper | undefined;
afterEach(() => keeper?.stop());

async function keeperOver(code: LockBusErrorCode) {
  const store = DeviceStore.open(join(mkdtempSync(join(tmpdir(), 'door-keeper-')), 'device.db'), {
    auditKey: 'a'.repeat(48),
  });
  keeper = new DoorKeeper({
    store,
    bus: new RefusingBus(code),
    recorder: new EventRecorder(store, 'test-locker', () => systemClock.wall()),
    compartments: [compartment],
    timing: { reminderMs: 30_000, alarmMs: 120_000 },
    logger: pino({ level: 'silent' }),
    clock: systemClock,
  });
  await keeper.start();
  const eventTypes = () =>
    store.outbox
      .peekAfter(0, 100)
      .map((e) => JSON.parse(e.payload) as { type: string; data: { code?: string } });
  return { store, eventTypes };
}

describe('DoorKeeper when the bus refuses an unlock', () => {
  it.each(['DOOR_ALREADY_OPEN', 'BOARD_POLARITY_SUSPECT', 'BOARD_OFFLINE'] as const)(
    '%s: the pickup is not an opening: no door_opened, no open session, compartment not open',
    async (code) => {
      const { store, eventTypes } = await keeperOver(code);
      const result = await keeper!.open(1, 'pickup', 'res-1', { kind: 'citizen', id: 'res-1' }, 'pickup');
      expect(result).toMatchObject({ ok: false, code });
      expect(eventTypes().map((e) => e.type)).not.toContain('door_opened');
      expect(keeper!.isOpen(1)).toBe(false);
      expect(store.compartment(1)?.state).not.toBe('open');
    },
  );

  it('DOOR_ALREADY_OPEN tells staff with a fault event, and leaves the compartment as it was', async () => {
    const { store, eventTypes } = await keeperOver('DOOR_ALREADY_OPEN');
    const before = store.compartment(1)?.state;
    await keeper!.open(1, 'pickup', 'res-1', { kind: 'citizen', id: 'res-1' }, 'pickup');
    expect(eventTypes()).toContainEqual(
      expect.objectContaining({
        type: 'fault',
        data: expect.objectContaining({ code: 'door_already_open' }),
      }),
    );
    expect(store.compartment(1)?.state).toBe(before);
  });
});
