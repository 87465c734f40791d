import { LockerRig } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockBusDefaults } from '../lockbus/lock-bus-config.ts';

/**
 * The USB–RS-485 adapter pulled out of a running locker (the device as its own process, the
 * simulated cabinet on a socat pty whose tty vanishes) and plugged back in: `/healthz` turns
 * not ok with its reason within a bounded number of polls, so systemd's watchdog acts; a code
 * entered meanwhile gets a clear screen at once and opens nothing; all is well again after.
 */
const staffPin = '5792468130';
const waitMs = 20_000;
let rig: LockerRig;

interface Health {
  ok: boolean;
  problems: string[];
  bus: { ok: boolean; failedPollsInRow: number; sinceLastGoodReplyMs: number | null } | null;
}

async function health(): Promise<{ status: number; body: Health }> {
  const response = await fetch(`${rig.kioskUrl}/healthz`);
  return { status: response.status, body: (await response.json()) as Health };
}

/** The first `/healthz` answer that passes `check`, polled every 20 ms. */
async function healthUntil(check: (h: Health) => boolean, what: string): Promise<Health> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const { status, body } = await health();
    if (check(body)) {
      expect(status).toBe(body.ok ? 200 : 503);
      return body;
    }
    if (Date.now() > deadline)
      throw new Error(`/healthz: no ${what} after ${waitMs} ms: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  rig = new LockerRig();
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

describe('adapter unplugged from a running locker (device process, socat pty removed)', () => {
  it('/healthz says the bus is unresponsive within a bounded number of polls, a code gets "out of service", and all recovers on replug', async () => {
    const codes = await rig.peer.reserve('r-unplugged');
    await rig.peer.until(() => rig.peer.deviceVersion >= codes.version, waitMs, 'reservation applied');
    const compartment = await rig.loadNext(staffPin);
    const unlocksAfterLoad = rig.door(compartment).unlockCount;
    expect(await healthUntil((h) => h.ok, 'ok')).toMatchObject({ problems: [], bus: { ok: true } });

    await rig.simulator.unplugPty();
    const dead = await healthUntil((h) => h.problems.includes('bus_unresponsive'), 'bus_unresponsive');
    expect(dead.ok).toBe(false);
    const limit = lockBusDefaults.unhealthyAfterFailedPolls;
    // seen within a few polls of the threshold (the page polls every 20 ms, the bus every 100 ms)
    expect(dead.bus?.failedPollsInRow).toBeGreaterThanOrEqual(limit);
    expect(dead.bus?.failedPollsInRow).toBeLessThanOrEqual(limit + 20);

    // a citizen's code while the bus is dead: a clear screen, no hang, nothing sent
    await rig.simulator.input('keypad', codes.pin);
    expect((await rig.untilScreen('error', waitMs)).params.code).toBe('out_of_service');

    await rig.simulator.replugPty();
    expect(await healthUntil((h) => h.ok, 'ok after replug')).toMatchObject({
      problems: [],
      bus: { ok: true, failedPollsInRow: 0 },
    });

    // the same code now opens the door, once
    await rig.simulator.input('keypad', codes.pin);
    expect((await rig.untilScreen('door_open', waitMs)).params.compartment).toBe(compartment);
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-unplugged'),
      waitMs,
      'picked_up',
    );
    expect(rig.door(compartment).unlockCount).toBe(unlocksAfterLoad + 1);
    expect(rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === 'r-unplugged')).toHaveLength(1);
  });
});
