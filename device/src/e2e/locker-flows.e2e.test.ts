import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LockerRig } from '../testing/locker-rig.ts';

const staffPin = '24681357';
let rig: LockerRig;

async function post(path: string, body?: unknown) {
  const response = await fetch(`${rig.kioskUrl}${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { view: string; params: Record<string, unknown> },
  };
}

/** Staff signs in on the keypad and loads the next reservation; returns the compartment that opened. */
async function load(): Promise<number> {
  await rig.simulator.input('keypad', staffPin);
  await rig.untilScreen('staff');
  const opened = await post('/api/staff/load_next');
  expect(opened.body.view, JSON.stringify(opened.body)).toBe('door_open');
  const compartment = opened.body.params.compartment as number;
  rig.act(compartment, 'put-item');
  rig.act(compartment, 'close');
  await rig.peer.until(
    () => rig.peer.events.some((e) => e.type === 'loaded' && e.compartment === compartment),
    10_000,
    'loaded',
  );
  await post('/api/staff/end');
  return compartment;
}

beforeAll(async () => {
  rig = new LockerRig();
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

describe('locker flows, end to end (device + simulator on ptys + broker + fleet peer)', () => {
  it('loads by staff PIN, then a citizen picks up by PIN on the serial keypad', async () => {
    const codes = await rig.peer.reserve('r-pin');
    await rig.peer.until(() => rig.peer.deviceVersion >= codes.version, 10_000, 'reservation applied');
    const compartment = await load();
    expect(rig.door(compartment)).toMatchObject({ open: false, itemPresent: true, unlockCount: 1 });

    await rig.simulator.input('keypad', codes.pin);
    const open = await rig.untilScreen('door_open');
    expect(open.params).toMatchObject({ compartment, purpose: 'pickup' });
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await rig.untilScreen('done');
    await rig.peer.until(
      () => rig.peer.eventsOf('picked_up').some((e) => e.reservationId === 'r-pin'),
      10_000,
      'picked_up',
    );
    expect(rig.door(compartment).unlockCount).toBe(2);
    // the same PIN again: already collected, door stays shut
    await rig.simulator.input('keypad', codes.pin);
    expect((await rig.untilScreen('rejected')).params.reason).toBe('already_collected');
    expect(rig.door(compartment).unlockCount).toBe(2);
  });
});
