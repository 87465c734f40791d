import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockerRig } from '../testing/locker-rig.ts';
import { TestClock } from '../testing/test-clock.ts';

/**
 * The wall clock stepped an hour back and an hour forward (NTP correcting a PC kept in local
 * time) while the real runtime (in process, simulator on ptys, SQLite file, broker, fleet peer)
 * is waiting out a wrong-code delay, has a door left open, and is opening a door. The device's
 * clocks stand still unless the test moves them: `advance` lets time pass, `stepWall` only sets
 * the wall clock.
 */
const staffPin = '9081726354';
const hour = 3_600_000;
const clock = new TestClock(Date.now());
let rig: LockerRig;
let wrongPin = 40_000_000;

beforeAll(async () => {
  rig = new LockerRig({ clock, timing: { doorReminderMs: 30_000, doorAlarmMs: 120_000 } });
  await rig.start();
  await rig.startDeviceInProcess();
  await rig.peer.publish({
    kind: 'staff',
    staff: [{ id: 's-1', display: 'AB', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
  });
}, 30_000);

afterAll(async () => {
  await rig?.stop();
});

const wrongCode = () => rig.enter('keypad', String(wrongPin++));

describe('wall clock stepped ±1 h (injected clock through the real runtime)', () => {
  it('a wrong-code delay ends on time: neither an hour longer nor skipped', async () => {
    for (let i = 0; i < 3; i++) expect((await wrongCode()).view).toBe('rejected');
    const fourth = await wrongCode();
    expect(fourth).toMatchObject({ view: 'wait', params: { seconds: 5, reason: 'unknown_code' } });

    clock.stepWall(-hour);
    // blocked, not evaluated (no reason), and still 5 s, not 1 h 5 s
    expect(await wrongCode()).toMatchObject({ view: 'wait', params: { seconds: 5 } });
    clock.stepWall(2 * hour);
    expect((await wrongCode()).params).not.toHaveProperty('reason');
    expect((await wrongCode()).params.seconds).toBe(5);

    clock.advance(4_000);
    expect(await wrongCode()).toMatchObject({ view: 'wait', params: { seconds: 1 } });
    clock.advance(1_000);
    // the delay is over: this one is evaluated (it has a reason) and starts the next delay
    expect(await wrongCode()).toMatchObject({
      view: 'wait',
      params: { seconds: 10, reason: 'unknown_code' },
    });
    clock.advance(10 * 60_000); // the run is forgotten
  });

  it('a door left open: reminder and alarm on time; a door opening meanwhile is confirmed once', async () => {
    const first = await rig.peer.reserve('r-left-open');
    const second = await rig.peer.reserve('r-opening');
    const left = await rig.loadNext(staffPin);
    const opening = await rig.loadNext(staffPin);
    const unlocksBefore = { left: rig.door(left).unlockCount, opening: rig.door(opening).unlockCount };

    await rig.simulator.input('keypad', first.pin);
    expect((await rig.untilScreen('door_open')).params.compartment).toBe(left);
    clock.stepWall(-hour);
    clock.advance(30_000);
    expect((await rig.untilScreen('door_reminder')).params.compartment).toBe(left);

    // another citizen's door opens while the wall clock jumps forward
    await rig.simulator.input('keypad', second.pin);
    await rig.untilScreen('opening');
    clock.stepWall(2 * hour);
    expect((await rig.untilScreen('door_open')).params.compartment).toBe(opening);
    rig.act(opening, 'take-item');
    rig.act(opening, 'close');
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-opening'),
      10_000,
      'picked_up of the door opened during the step',
    );

    const leftOpenAlarms = () =>
      rig.peer
        .eventsOf('alarm')
        .filter((e) => e.compartment === left && (e.data as { code?: string }).code === 'door_left_open');
    clock.advance(90_000);
    await rig.peer.until(() => leftOpenAlarms().length > 0, 10_000, 'door_left_open alarm');
    expect(leftOpenAlarms().map((e) => (e.data as { openForS: number }).openForS)).toEqual([120]);

    rig.act(left, 'take-item');
    rig.act(left, 'close');
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-left-open'),
      10_000,
      'picked_up of the door left open',
    );
    // 0 false opens, 0 doors opened twice, each pickup recorded once
    expect(rig.door(left).unlockCount).toBe(unlocksBefore.left + 1);
    expect(rig.door(opening).unlockCount).toBe(unlocksBefore.opening + 1);
    for (const id of ['r-left-open', 'r-opening'])
      expect(rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === id)).toHaveLength(1);
    expect(leftOpenAlarms()).toHaveLength(1);
  });
});
