import { LockerRig } from '@locker/test-kit/locker';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const staffPin = '2468135702';
const waitMs = 20_000;
let rig: LockerRig;
/** The disk as the device's store sees it: while full, every transaction is refused with SQLITE_FULL. */
let diskFull = false;
let freeBytes = 8 * 1024 ** 3;

function refuseWhenFull(): void {
  if (diskFull) throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
}

const storage = () => rig.peer.telemetry?.storage;

function fillDisk(): void {
  diskFull = true;
}

/** Frees the disk and waits until the device says, over MQTT, that it writes again. */
async function freeDisk(): Promise<void> {
  diskFull = false;
  await rig.peer.until(() => storage()?.writable === true, waitMs, 'telemetry: store writable again');
}

beforeAll(async () => {
  rig = new LockerRig({
    timing: { doorReminderMs: 1500, doorAlarmMs: 3000, telemetryMs: 1000 },
  });
  await rig.start();
  await rig.startDeviceInProcess({
    storeOptions: { beforeWrite: refuseWhenFull },
    freeBytes: () => freeBytes,
  });
  await rig.peer.publish({
    kind: 'staff',
    staff: [{ id: 's-1', display: 'AB', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
  });
}, 30_000);

afterAll(async () => {
  await rig?.stop();
});

describe('a full disk (SQLITE_FULL injected at the store seam): write first, then change memory', () => {
  it('a close the disk refuses is kept and written once space returns; the same PIN never reopens the emptied door', async () => {
    const codes = await rig.peer.reserve('r-close');
    const compartment = await rig.loadNext(staffPin);
    await rig.simulator.input('keypad', codes.pin);
    await rig.untilScreen('door_open');
    fillDisk();
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    // the alarm needs no disk: telemetry says the store refuses writes
    await rig.peer.until(() => storage()?.writable === false, waitMs, 'telemetry: store not writable');
    expect(rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === 'r-close')).toHaveLength(0);

    await rig.simulator.input('keypad', codes.pin);
    expect((await rig.untilScreen('error')).params.code).toBe('out_of_service');
    expect(rig.door(compartment)).toMatchObject({ open: false, unlockCount: 2 });

    await freeDisk();
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-close'),
      waitMs,
      'picked_up written after the disk was freed',
    );
    await rig.peer.until(
      () => rig.peer.eventsOf('alarm').some((e) => e.data.code === 'store_write_failed' && e.data.recovered),
      waitMs,
      'store_write_failed alarm',
    );
    await rig.simulator.input('keypad', codes.pin);
    expect((await rig.untilScreen('rejected')).params.reason).toBe('already_collected');
    expect(rig.door(compartment)).toMatchObject({ open: false, unlockCount: 2 });
    expect(rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === 'r-close')).toHaveLength(1);
  });

  it('a refused pending-unlock record sends no unlock and leaves the compartment usable', async () => {
    const target = 20;
    fillDisk();
    await rig.peer.command({ type: 'open', compartment: target, reason: 'disk full probe', by: 'it-1' });
    await rig.peer.until(() => storage()?.writable === false, waitMs, 'telemetry: store not writable');
    expect(rig.door(target)).toMatchObject({ open: false, unlockCount: 0 });

    await freeDisk();
    const again = await rig.peer.command({
      type: 'open',
      compartment: target,
      reason: 'disk freed',
      by: 'it-1',
    });
    await rig.peer.until(() => rig.peer.results.has(again), waitMs, 'open result');
    expect(rig.peer.results.get(again)).toEqual({ ok: true });
    expect(rig.door(target)).toMatchObject({ open: true, unlockCount: 1 });
    rig.act(target, 'close');
    await rig.peer.until(
      () => rig.peer.eventsOf('door_closed').some((e) => e.compartment === target),
      waitMs,
      'door_closed',
    );
  });

  it('a door left open while the disk is full: the timer survives the refused alarm, which is sent once writes work', async () => {
    const codes = await rig.peer.reserve('r-open');
    const compartment = await rig.loadNext(staffPin);
    await rig.simulator.input('keypad', codes.pin);
    await rig.untilScreen('door_open');
    rig.act(compartment, 'take-item');
    fillDisk();
    await rig.untilScreen('door_reminder', waitMs);
    // the only write now is the door-left-open alarm: refused, and the process goes on
    await rig.peer.until(() => storage()?.writable === false, waitMs, 'telemetry: store not writable');
    expect((await rig.screen()).view).toBe('door_reminder');

    await freeDisk();
    await rig.peer.until(
      () =>
        rig.peer
          .eventsOf('alarm')
          .some((e) => e.compartment === compartment && e.data.code === 'door_left_open'),
      waitMs,
      'door_left_open alarm',
    );
    rig.act(compartment, 'close');
    await rig.untilScreen('done', waitMs);
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-open'),
      waitMs,
      'picked_up',
    );
    expect(rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === 'r-open')).toHaveLength(1);
  });

  it('a low disk raises an alarm and shows in telemetry while it can still be written', async () => {
    freeBytes = 1024 * 1024;
    await rig.peer.until(
      () =>
        rig.peer.eventsOf('alarm').some((e) => e.data.code === 'disk_low' && e.data.freeBytes === freeBytes),
      waitMs,
      'disk_low alarm',
    );
    await rig.peer.until(() => storage()?.lowDisk === true, waitMs, 'telemetry: low disk');
    expect(storage()).toMatchObject({ writable: true, freeBytes });
  });
});
