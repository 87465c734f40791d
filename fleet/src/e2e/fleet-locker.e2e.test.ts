import { createTestFleet, inSync, rigMasterKey, startLockerAt, until } from '@locker/test-kit/fleet';
import type { LockerRig } from '@locker/test-kit/locker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { SecretBox } from '../security/secret-box.ts';
import type { IssuedCodes } from '../services/reservation-service.ts';

const lockerId = 'ieper-stadhuis-1';
const staffPin = '3141592653';
let fleet: Fleet;
let rig: LockerRig;

async function post(path: string, body?: unknown) {
  const response = await fetch(`${rig.kioskUrl}${path}`, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await response.json()) as { view: string; params: Record<string, unknown> };
}

/** What the queued messages of a reservation carry (the channels are tested on their own). */
function queuedCodes(reservationId: string): IssuedCodes {
  const box = new SecretBox(rigMasterKey);
  return Object.assign(
    {},
    ...fleet.store.notifications
      .forReservation(reservationId)
      .filter((n) => n.secretBox && n.state === 'pending')
      .map((n) => JSON.parse(box.open(n.secretBox!)) as IssuedCodes),
  );
}

const applied = () => inSync(fleet, lockerId);

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  rig = await startLockerAt(fleet, lockerId, 'ieper');
  const clerk = await fleet.staff.create(
    {
      username: 'clerk',
      display: 'AB',
      password: 'a long enough password',
      role: 'desk',
      municipalities: ['ieper'],
    },
    'test',
  );
  fleet.staff.setLockerPin(clerk.id, staffPin, 'test');
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  await fleet?.stop();
});

describe('fleet and a real locker (device + simulator on ptys + embedded broker with per-locker login)', () => {
  it('the locker logs in with its own credentials, reports presence and catches up on staff PINs', async () => {
    await until(() => fleet.store.lockers.get(lockerId)?.online === true, 'locker online');
    await until(applied, 'staff change applied');
    expect(fleet.store.lockers.get(lockerId)).toMatchObject({ online: true, software: '0.1.0' });
    expect(fleet.broker!.counters.refusedLogins).toBe(0);
  });

  it('reservation → loaded by staff → codes issued only then → citizen picks up with QR and PIN → picked_up once', async () => {
    const reservation = fleet.reservations.create(
      {
        lockerId,
        itemType: 'driving_licence',
        citizen: {
          name: 'Jan Peeters',
          email: 'jan@example.be',
          phone: '+32470000001',
          language: 'nl',
          channel: 'email',
        },
      },
      'clerk',
    );
    expect(reservation).toMatchObject({ state: 'ready_to_load', pinHash: null, qrHash: null });
    await until(applied, 'reservation applied at the locker');

    await rig.simulator.input('keypad', staffPin);
    expect((await rig.untilScreen('staff')).params.toLoad).toBe(1);
    const opened = await post('/api/staff/load_next');
    expect(opened.view).toBe('door_open');
    const compartment = opened.params.compartment as number;
    rig.act(compartment, 'put-item');
    rig.act(compartment, 'close');
    await until(() => fleet.reservations.get(reservation.id).state === 'loaded', 'loaded at the fleet');
    await post('/api/staff/end');

    const loaded = fleet.reservations.get(reservation.id);
    expect(loaded).toMatchObject({ compartment, pinHash: expect.any(String), qrHash: expect.any(String) });
    const kinds = fleet.store.notifications.forReservation(reservation.id).map((n) => [n.kind, n.channel]);
    expect(kinds).toEqual([
      ['ready', 'email'],
      ['pin', 'sms'],
    ]);
    const codes = queuedCodes(reservation.id);
    expect(codes.qr).toMatch(new RegExp(`^LKR1\\.${lockerId}\\.`));
    expect(codes.pin).toMatch(/^\d{8}$/);
    await until(applied, 'codes applied at the locker');

    await rig.simulator.input('scanner', codes.qr!);
    await rig.untilScreen('second_factor');
    await rig.simulator.input('keypad', codes.pin!);
    expect((await rig.untilScreen('door_open')).params.compartment).toBe(compartment);
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await until(() => fleet.reservations.get(reservation.id).state === 'picked_up', 'picked_up at the fleet');
    expect(fleet.store.lockers.compartment(lockerId, compartment)).toMatchObject({
      state: 'free',
      door: 'closed',
    });
    expect(rig.door(compartment).unlockCount).toBe(2);
    // finished: it leaves the locker's copy, and its PIN is free to be issued again
    await until(applied, 'removal applied at the locker');
    expect(rig.inProcess!.openStore!.reservation(reservation.id)).toBeUndefined();
    expect(fleet.reservations.get(reservation.id)).toMatchObject({ pinHash: null, qrHash: null });
  });

  it('a loan gets a return code and a due date; the return comes back through the locker', async () => {
    const loan = fleet.reservations.create(
      {
        lockerId,
        itemType: 'hall_key',
        citizen: { name: 'An Claes', email: 'an@example.be', language: 'fr', channel: 'email' },
      },
      'clerk',
    );
    await until(applied, 'loan applied');
    await rig.simulator.input('keypad', staffPin);
    await rig.untilScreen('staff');
    const opened = await post('/api/staff/load_next');
    const compartment = opened.params.compartment as number;
    rig.act(compartment, 'put-item');
    rig.act(compartment, 'close');
    await until(() => fleet.reservations.get(loan.id).state === 'loaded', 'loan loaded');
    await post('/api/staff/end');
    const codes = queuedCodes(loan.id);
    expect(codes.returnPin).toMatch(/^\d{8}$/);
    await until(applied, 'loan codes applied');

    await rig.simulator.input('keypad', codes.pin!);
    await rig.untilScreen('door_open');
    rig.act(compartment, 'take-item');
    rig.act(compartment, 'close');
    await until(() => fleet.reservations.get(loan.id).state === 'picked_up', 'loan picked up');
    expect(Date.parse(fleet.reservations.get(loan.id).dueAt!)).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    await until(applied, 'due date applied');

    await rig.simulator.input('keypad', codes.returnPin!);
    const back = await rig.untilScreen('door_open');
    const returnedTo = back.params.compartment as number;
    rig.act(returnedTo, 'put-item');
    rig.act(returnedTo, 'close');
    await until(() => fleet.reservations.get(loan.id).state === 'returned', 'returned at the fleet');
  });

  it('every locker event was applied once; redelivering one changes nothing', () => {
    const events = fleet.store.events.recent([lockerId], 1000);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(fleet.link.counters.eventsDuplicate).toBe(0);
    const again = fleet.reservations.applyEvent(events[0]!);
    expect(again).toBe('duplicate');
    expect(fleet.store.events.count()).toBe(events.length);
  });
});
