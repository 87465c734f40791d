import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeHash, type Reservation } from '@locker/protocol';
import { TestClock } from '@locker/test-kit/locker';
import pino from 'pino';
import { type DeviceConfig, deviceConfigSchema } from '../../config/device-config.ts';
import type { LockAddress } from '../../lockbus/lock-bus.ts';
import { FakeLockBus } from '../../lockbus/testing/fake-lock-bus.ts';
import { DeviceStore } from '../../store/device-store.ts';
import { DoorKeeper } from '../door-keeper.ts';
import { EventRecorder } from '../event-recorder.ts';
import { LockerCore } from '../locker-core.ts';
import { Screen } from '../screen.ts';

export const lockerId = 'unit-locker';
const codeKey = 'unit-test-code-key-0123456789abcdef';

/**
 * One locker's core on a {@link FakeLockBus} with a real SQLite store in a temporary directory and
 * a {@link TestClock}: for unit tests under fake timers. Compartments 1… are locks 1… of
 * board 0, all size S unless given. `prepare` runs on the store before the door keeper starts
 * (what a crash left behind).
 */
export async function coreOnFakeBus(
  options: {
    sizes?: DeviceConfig['compartments'][number]['size'][];
    /** Compartments with an item sensor, read through `bus.setItem`; none by default. */
    itemSensors?: boolean;
    /** A database left by an earlier run (a crash); a new one by default. */
    storePath?: string;
    prepare?: (store: DeviceStore) => void;
    /** Doors as the boards read them at start; closed by default. */
    doorsAtStart?: Record<number, 'open' | 'closed'>;
    /** What the item sensors read at start, by compartment. */
    itemsAtStart?: Record<number, boolean>;
    /** Boards silent at start (their doors read `unknown`) until `bus.setBoardOnline(board, true)`. */
    boardsOfflineAtStart?: number[];
  } = {},
) {
  const sizes = options.sizes ?? ['S', 'S'];
  const config = deviceConfigSchema.parse({
    lockerId,
    municipality: 'ieper',
    mode: 'development',
    bus: { protocol: 'cu16', transport: '/dev/null', boards: [{ address: 0, locks: 16 }] },
    compartments: sizes.map((size, i) => ({
      number: i + 1,
      board: 0,
      lock: i + 1,
      size,
      itemSensor: options.itemSensors ?? false,
      position: { column: i + 1, row: 'middle' },
    })),
    secrets: { codeKey: { env: 'UNIT_CODE_KEY' }, auditKey: { env: 'UNIT_AUDIT_KEY' } },
    store: { path: options.storePath ?? join(mkdtempSync(join(tmpdir(), 'core-unit-')), 'device.db') },
  });
  const store = DeviceStore.open(config.store.path, { auditKey: 'a'.repeat(48) });
  const clock = new TestClock();
  const bus = new FakeLockBus(config.compartments.map((c) => ({ board: c.board, lock: c.lock })));
  const recorder = new EventRecorder(store, lockerId, () => clock.wall());
  const logger = pino({ level: 'silent' });
  const doors = new DoorKeeper({
    store,
    bus,
    recorder,
    compartments: config.compartments,
    timing: { reminderMs: config.timing.doorReminderMs, alarmMs: config.timing.doorAlarmMs },
    logger,
    clock,
  });
  const screen = new Screen(() => clock.wall());
  const core = new LockerCore({ config, store, doors, recorder, screen, codeKey, logger, clock });
  store.ensureCompartments(
    config.compartments.map((c) => c.number),
    new Date(clock.wall()).toISOString(),
  );
  options.prepare?.(store);
  for (const [number, door] of Object.entries(options.doorsAtStart ?? {}))
    bus.setDoor({ board: 0, lock: Number(number) }, door, 'initial');
  for (const [number, present] of Object.entries(options.itemsAtStart ?? {}))
    bus.setItem({ board: 0, lock: Number(number) }, present);
  for (const board of options.boardsOfflineAtStart ?? []) bus.setBoardOnline(board, false);
  core.start();
  await doors.start();
  const lockOf = (compartment: number): LockAddress => ({ board: 0, lock: compartment });
  const now = () => new Date(clock.wall()).toISOString();
  return {
    config,
    store,
    clock,
    bus,
    doors,
    core,
    lockOf,
    pinHash: (pin: string) => codeHash(codeKey, lockerId, 'pin', pin),
    staffPinHash: (pin: string) => codeHash(codeKey, lockerId, 'staff', pin),
    /** Unlocks that reached the wire (refused ones, e.g. an open door, are not among them). */
    sent: () => bus.counters().unlocksSent,
    /** A reservation as the fleet sends it, ready for pickup with `pin`. */
    reservation: (id: string, pin: string, patch: Partial<Reservation> = {}): Reservation => ({
      id,
      label: `label ${id}`,
      itemType: 'document',
      kind: 'document',
      size: 'S',
      state: 'loaded',
      pinHash: codeHash(codeKey, lockerId, 'pin', pin),
      twoFactor: false,
      expiresAt: '2026-12-31T00:00:00.000Z',
      ...patch,
    }),
    /** What the locker records after a load: the item is in `compartment`, linked to the reservation. */
    placeIn: (compartment: number, reservationId: string) =>
      store.transaction(() => {
        const state = store.reservation(reservationId)?.state ?? 'loaded';
        store.setReservationState(reservationId, state, compartment, now());
        store.updateCompartment(compartment, { state: 'occupied', reservationId }, now());
      }),
    eventTypes: () =>
      store.outbox.peekAfter(0, 1000).map((e) => (JSON.parse(e.payload) as { type: string }).type),
    stop: () => {
      core.stop();
      doors.stop();
      store.close();
    },
  };
}
