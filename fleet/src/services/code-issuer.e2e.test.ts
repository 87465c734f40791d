import { randomUUID } from 'node:crypto';
import type { LockerEvent } from '@locker/protocol';
import { MqttLocker } from '@locker/simulator';
import { createTestFleet, inSync, until } from '@locker/test-kit/fleet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { CodeIssuer } from './code-issuer.ts';

const lockerId = 'ieper-1';
/** The PINs the fleet draws, in order: the test decides when they collide. */
const draws: string[] = [];
let fleet: Fleet;
let locker: MqttLocker;
let seq = 0;

async function report(type: LockerEvent['type'], reservationId: string, compartment: number): Promise<void> {
  seq++;
  await locker.report({
    id: randomUUID(),
    seq,
    type,
    at: new Date().toISOString(),
    compartment,
    reservationId,
  });
}

async function loaded(itemType: string, compartment: number) {
  const r = fleet.reservations.create(
    {
      lockerId,
      itemType,
      citizen: {
        name: 'Jan Peeters',
        email: 'jan@example.be',
        phone: '+32470123456',
        language: 'nl',
        channel: 'email',
      },
    },
    'clerk',
  );
  await report('loaded', r.id, compartment);
  await until(() => fleet.reservations.get(r.id).state === 'loaded', 'loaded');
  return fleet.reservations.get(r.id);
}

const pinHash = (pin: string) => fleet.registry.hashCode(lockerId, 'pin', pin);

beforeAll(async () => {
  fleet = createTestFleet({}, undefined, () => {
    const next = draws.shift();
    if (!next) throw new Error('the test ran out of PINs to draw');
    return next;
  });
  await fleet.start();
  fleet.directory.add('ieper', 'Ieper', 'test');
  const provisioned = fleet.registry.provision(
    { id: lockerId, municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  locker = new MqttLocker(lockerId, { url: fleet.brokerUrl, password: provisioned.mqtt.password });
  await locker.start();
}, 30_000);

afterAll(async () => {
  await locker?.stop();
  await fleet?.stop();
});

describe('PINs unique among a locker’s live codes (fleet with its SQLite file, a locker over MQTT)', () => {
  it('draws again when a new PIN would equal a live PIN or return PIN of the same locker', async () => {
    draws.push('11111111', '22222222');
    const first = await loaded('hall_key', 1);
    expect([first.pinHash, first.returnPinHash]).toEqual([pinHash('11111111'), pinHash('22222222')]);

    // the source repeats the live PIN, then the live return PIN, then its own new PIN
    draws.push('11111111', '22222222', '33333333', '33333333', '44444444');
    const second = await loaded('hall_key', 2);
    expect([second.pinHash, second.returnPinHash]).toEqual([pinHash('33333333'), pinHash('44444444')]);
    expect(draws).toEqual([]);
  });

  it('a finished reservation leaves the locker and frees its PIN', async () => {
    draws.push('55555555');
    const document = await loaded('driving_licence', 3);
    const before = fleet.store.lockers.latestVersion(lockerId);
    await report('picked_up', document.id, 3);
    await until(() => fleet.reservations.get(document.id).state === 'picked_up', 'picked up');
    const change = fleet.store.lockers.changesSince(lockerId, before).at(-1);
    expect(change).toMatchObject({ kind: 'remove', reservationId: document.id });
    await until(() => inSync(fleet, lockerId), 'removal applied');
    expect(fleet.reservations.snapshotFor(lockerId, 0)).toMatchObject({ kind: 'snapshot' });
    const snapshot = fleet.store.lockers.changesSince(lockerId, 0).at(-1);
    expect(snapshot?.kind === 'snapshot' && snapshot.reservations.map((r) => r.id)).not.toContain(
      document.id,
    );

    draws.push('55555555');
    expect((await loaded('driving_licence', 4)).pinHash).toBe(pinHash('55555555'));
  });

  it('refuses to go on with a source that only repeats live PINs', async () => {
    draws.push('66666666');
    await loaded('driving_licence', 5);
    const stuck = new CodeIssuer({
      store: fleet.store,
      registry: fleet.registry,
      randomPin: () => '66666666',
    });
    expect(() => fleet.store.transaction(() => stuck.issue(lockerId, false))).toThrow(
      expect.objectContaining({ code: 'PIN_SPACE_EXHAUSTED' }),
    );
  });
});
