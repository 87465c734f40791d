import { LockerRig } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const staffPin = '2468135702';
const waitMs = 20_000;
let rig: LockerRig;

/** A citizen's PIN opens the door; resolves once the opening is recorded (the fleet has the event). */
async function pickUpStarts(pin: string, compartment: number): Promise<void> {
  const before = rig.peer.eventsOf('door_opened').filter((e) => e.compartment === compartment).length;
  await rig.simulator.input('keypad', pin);
  await rig.peer.until(
    () => rig.peer.eventsOf('door_opened').filter((e) => e.compartment === compartment).length > before,
    waitMs,
    `door ${compartment} opened`,
  );
}

const pickedUp = (reservationId: string) =>
  rig.peer.eventsOf('picked_up').filter((e) => e.reservationId === reservationId).length;

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

describe('power cut where the boards answer after the PC is up (device process, boards silent at its start)', () => {
  it('reconciles each door when its board first answers: 0 pickups lost, 0 doors opened twice', async () => {
    const taken = await rig.peer.reserve('r-taken');
    const open = await rig.peer.reserve('r-open');
    const left = await rig.peer.reserve('r-left');
    const takenAt = await rig.loadNext(staffPin);
    const openAt = await rig.loadNext(staffPin);
    const leftAt = await rig.loadNext(staffPin);
    await pickUpStarts(taken.pin, takenAt);
    await pickUpStarts(open.pin, openAt);
    await pickUpStarts(left.pin, leftAt);

    // power cut: the PC dies at once; the boards are silent until after the PC is back up
    await rig.killDevice();
    rig.simulator.simBus.setFaults({ silentBoards: [0, 1] });
    rig.act(takenAt, 'take-item');
    rig.act(takenAt, 'close');
    rig.act(openAt, 'take-item');
    rig.act(leftAt, 'close');
    await rig.startDeviceProcess();
    rig.simulator.simBus.clearFaults();

    // taken and closed while the PC was down: recorded when its board answers
    await rig.peer.until(() => pickedUp('r-taken') === 1, waitMs, 'picked_up of the door closed while down');
    // still open when its board answers: followed to its close
    rig.act(openAt, 'close');
    await rig.peer.until(() => pickedUp('r-open') === 1, waitMs, 'picked_up of the door open at the answer');
    // closed with the item still inside: not a pickup; the same PIN opens it again, once
    await rig.peer.until(
      () =>
        rig.peer.eventsOf('door_closed').some((e) => e.compartment === leftAt && e.data.itemPresent === true),
      waitMs,
      'door_closed with the item left',
    );
    expect(pickedUp('r-left')).toBe(0);
    await pickUpStarts(left.pin, leftAt);
    rig.act(leftAt, 'take-item');
    rig.act(leftAt, 'close');
    await rig.peer.until(() => pickedUp('r-left') === 1, waitMs, 'picked_up of the item left behind');

    for (const [compartment, unlocks] of [
      [takenAt, 2],
      [openAt, 2],
      [leftAt, 3],
    ] as const)
      expect(rig.door(compartment), `compartment ${compartment}`).toMatchObject({
        open: false,
        unlockCount: unlocks,
      });
    expect([pickedUp('r-taken'), pickedUp('r-open'), pickedUp('r-left')]).toEqual([1, 1, 1]);
    // the emptied doors stay shut for their PINs
    await rig.simulator.input('keypad', taken.pin);
    expect((await rig.untilScreen('rejected')).params.reason).toBe('already_collected');
    expect(rig.door(takenAt).unlockCount).toBe(2);
  }, 120_000);
});
