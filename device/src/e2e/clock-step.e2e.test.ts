import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LockerRig, TestClock } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The wall clock stepped an hour back and an hour forward (NTP correcting a PC kept in local
 * time) while the real runtime (in process, simulator on ptys, SQLite file, broker, fleet peer)
 * is waiting out a wrong-code delay, has a door left open, and is opening a door. The device's
 * clocks stand still unless the test moves them: `advance` lets time pass, `stepWall` only sets
 * the wall clock.
 */
const staffPin = '9081726354';
const hour = 3_600_000;
let wrongPin = 40_000_000;
const wrongCode = (rig: LockerRig) => rig.enter('keypad', String(wrongPin++));

describe('wall clock stepped ±1 h (injected clock through the real runtime)', () => {
  const clock = new TestClock(Date.now());
  let rig: LockerRig;

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

  it('a wrong-code delay ends on time: neither an hour longer nor skipped', async () => {
    for (let i = 0; i < 3; i++) expect((await wrongCode(rig)).view).toBe('rejected');
    const fourth = await wrongCode(rig);
    expect(fourth).toMatchObject({ view: 'wait', params: { seconds: 5, reason: 'unknown_code' } });

    clock.stepWall(-hour);
    // blocked, not evaluated (no reason), and still 5 s, not 1 h 5 s
    expect(await wrongCode(rig)).toMatchObject({ view: 'wait', params: { seconds: 5 } });
    clock.stepWall(2 * hour);
    expect((await wrongCode(rig)).params).not.toHaveProperty('reason');
    expect((await wrongCode(rig)).params.seconds).toBe(5);

    clock.advance(4_000);
    expect(await wrongCode(rig)).toMatchObject({ view: 'wait', params: { seconds: 1 } });
    clock.advance(1_000);
    // the delay is over: this one is evaluated (it has a reason) and starts the next delay
    expect(await wrongCode(rig)).toMatchObject({
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

const libfaketime = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const haveFaketime = existsSync(libfaketime);
if (!haveFaketime)
  console.warn(
    `clock-step: ${libfaketime} is missing (apt-get install faketime): the device-process cases are skipped`,
  );

/**
 * The same steps under libfaketime: the device runs as its own process with the library preloaded;
 * the offset in FAKETIME_TIMESTAMP_FILE (re-read at every call: FAKETIME_NO_CACHE) moves its wall
 * clock (`Date.now()`) while CLOCK_MONOTONIC is left alone (DONT_FAKE_MONOTONIC). Time really
 * passes here, so the policy and the door timings are short; every wait is for a screen or an event.
 */
describe.skipIf(!haveFaketime)('wall clock stepped ±1 h under libfaketime (device process)', () => {
  const offsetFile = join(mkdtempSync(join(tmpdir(), 'faketime-')), 'offset');
  const stepTo = (seconds: number) => writeFileSync(offsetFile, `${seconds >= 0 ? '+' : ''}${seconds}\n`);
  const waitMs = 30_000;
  /** Real time passes here: a 10 s delay, 6 s door timings, and on failure each wait's full 30 s. */
  const caseTimeoutMs = 120_000;
  let rig: LockerRig;

  beforeAll(async () => {
    stepTo(0);
    rig = new LockerRig({
      timing: { doorReminderMs: 3_000, doorAlarmMs: 6_000 },
      // one free wrong code, then 10 s: time enough to step the clock and look twice before it ends
      lockout: {
        freeAttempts: 1,
        baseDelayMs: 10_000,
        maxDelayMs: 10_000,
        alarmAfter: 50,
        forgetAfterMs: 60_000,
      },
      deviceEnv: {
        LD_PRELOAD: libfaketime,
        FAKETIME_TIMESTAMP_FILE: offsetFile,
        FAKETIME_NO_CACHE: '1',
        DONT_FAKE_MONOTONIC: '1',
      },
    });
    await rig.start();
    await rig.startDeviceProcess();
    await rig.peer.publish({
      kind: 'staff',
      staff: [{ id: 's-1', display: 'AB', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
    });
  }, 30_000);

  afterAll(async () => {
    await rig?.stop();
  });

  it(
    'a wrong-code delay is neither stretched by an hour nor skipped',
    async () => {
      expect((await wrongCode(rig)).view).toBe('rejected');
      expect(await wrongCode(rig)).toMatchObject({
        view: 'wait',
        params: { seconds: 10, reason: 'unknown_code' },
      });
      stepTo(-3600);
      const back = await wrongCode(rig);
      expect(back.view).toBe('wait');
      expect(back.params).not.toHaveProperty('reason');
      expect(back.params.seconds).toBeLessThanOrEqual(10);
      stepTo(3600);
      const forward = await wrongCode(rig);
      expect(forward.view).toBe('wait');
      expect(forward.params).not.toHaveProperty('reason');
      // the wait ends by itself: codes are evaluated again (a reason), never blocked for more than 10 s meanwhile
      const deadline = Date.now() + waitMs;
      for (;;) {
        const answer = await wrongCode(rig);
        if ('reason' in answer.params) break;
        expect(answer.params.seconds).toBeLessThanOrEqual(10);
        if (Date.now() > deadline)
          throw new Error(`still blocked after ${waitMs} ms: ${JSON.stringify(answer)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      stepTo(0);
    },
    caseTimeoutMs,
  );

  it(
    'a door left open: reminder and alarm on time; a door opening meanwhile is confirmed once',
    async () => {
      // QR codes: the citizen counter is still in its wait from the case above
      const first = await rig.peer.reserve('r-ft-left-open');
      const second = await rig.peer.reserve('r-ft-opening');
      const left = await rig.loadNext(staffPin);
      const opening = await rig.loadNext(staffPin);
      const unlocksBefore = { left: rig.door(left).unlockCount, opening: rig.door(opening).unlockCount };

      await rig.simulator.input('scanner', first.qr);
      expect((await rig.untilScreen('door_open', waitMs)).params.compartment).toBe(left);
      stepTo(-3600);
      expect((await rig.untilScreen('door_reminder', waitMs)).params.compartment).toBe(left);

      await rig.simulator.input('scanner', second.qr);
      await rig.untilScreen('opening', waitMs);
      stepTo(3600);
      expect((await rig.untilScreen('door_open', waitMs)).params.compartment).toBe(opening);
      rig.act(opening, 'take-item');
      rig.act(opening, 'close');

      const leftOpenAlarms = () =>
        rig.peer
          .eventsOf('alarm')
          .filter((e) => e.compartment === left && (e.data as { code?: string }).code === 'door_left_open');
      await rig.peer.until(() => leftOpenAlarms().length > 0, waitMs, 'door_left_open alarm');
      const [openForS] = leftOpenAlarms().map((e) => (e.data as { openForS: number }).openForS);
      // measured on the monotonic clock: 6 s and a little, never an hour more or less
      expect(openForS).toBeGreaterThanOrEqual(6);
      expect(openForS).toBeLessThan(600);

      rig.act(left, 'take-item');
      rig.act(left, 'close');
      for (const id of ['r-ft-left-open', 'r-ft-opening'])
        await rig.peer.until(
          () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === id),
          waitMs,
          `picked_up ${id}`,
        );
      expect(rig.door(left).unlockCount).toBe(unlocksBefore.left + 1);
      expect(rig.door(opening).unlockCount).toBe(unlocksBefore.opening + 1);
      for (const id of ['r-ft-left-open', 'r-ft-opening'])
        expect(rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === id)).toHaveLength(1);
      expect(leftOpenAlarms()).toHaveLength(1);
      stepTo(0);
    },
    caseTimeoutMs,
  );
});
