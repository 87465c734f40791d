import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '@locker/test-kit/locker';
import pino from 'pino';
import type { CompartmentConfig } from '../../config/device-config.ts';
import { FakeLockBus } from '../../lockbus/testing/fake-lock-bus.ts';
import { DeviceStore } from '../../store/device-store.ts';
import type { UnlockPurpose } from '../../store/store-types.ts';
import { DoorReconciler } from '../door-reconciler.ts';
import { DoorRecords } from '../door-records.ts';
import { type DoorSessionEvents, DoorSessions } from '../door-sessions.ts';
import { EventRecorder } from '../event-recorder.ts';

export const doorTiming = { reminderMs: 60_000, alarmMs: 300_000 };

/**
 * The door keeper's parts alone (records, sessions, reconciler) on a {@link FakeLockBus}, a real
 * SQLite store in a temporary directory and a {@link TestClock}. Compartments 1… are locks 1… of
 * board 0; `itemSensor` for all of them.
 */
export function doorPartsOnFakeBus(options: { compartments?: number; itemSensor?: boolean } = {}) {
  const compartments: CompartmentConfig[] = Array.from({ length: options.compartments ?? 2 }, (_, i) => ({
    number: i + 1,
    board: 0,
    lock: i + 1,
    size: 'S',
    doorSensor: true,
    itemSensor: options.itemSensor ?? false,
    position: { column: i + 1, row: 'middle' } as CompartmentConfig['position'],
  }));
  const store = DeviceStore.open(join(mkdtempSync(join(tmpdir(), 'door-parts-')), 'device.db'), {
    auditKey: 'a'.repeat(48),
  });
  const clock = new TestClock();
  const now = () => new Date(clock.wall()).toISOString();
  store.ensureCompartments(
    compartments.map((c) => c.number),
    now(),
  );
  const bus = new FakeLockBus(compartments.map((c) => ({ board: c.board, lock: c.lock })));
  const recorder = new EventRecorder(store, 'unit-locker', () => clock.wall());
  const logger = pino({ level: 'silent' });
  const records = new DoorRecords({ store, recorder, logger, clock });
  const events = new EventEmitter<DoorSessionEvents>();
  const sessions = new DoorSessions({
    store,
    bus,
    recorder,
    records,
    compartments: new Map(compartments.map((c) => [c.number, c])),
    timing: doorTiming,
    logger,
    clock,
    events,
  });
  const reconciler = new DoorReconciler({
    store,
    bus,
    recorder,
    records,
    sessions,
    compartments,
    logger,
    clock,
  });
  return {
    compartments,
    store,
    clock,
    bus,
    events,
    sessions,
    reconciler,
    /** An unlock record as `open()` writes it before the command goes out (what a crash leaves behind). */
    pending: (compartment: number, purpose: UnlockPurpose, opened: boolean) =>
      store.transaction(() =>
        store.setPendingUnlock({
          compartment,
          purpose,
          reservationId: null,
          actorKind: 'staff',
          actorId: 'desk-1',
          startedAt: now(),
          opened,
        }),
      ),
    eventTypes: () =>
      store.outbox.peekAfter(0, 1000).map((e) => (JSON.parse(e.payload) as { type: string }).type),
    eventData: () =>
      store.outbox
        .peekAfter(0, 1000)
        .map((e) => JSON.parse(e.payload) as { type: string; data: Record<string, unknown> }),
  };
}
