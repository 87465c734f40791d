import { MqttLocker } from '@locker/simulator';
import { createTestFleet, until } from '@locker/test-kit/fleet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';

const lockerCount = 60;
let fleet: Fleet;
const lockers: MqttLocker[] = [];
const passwords = new Map<string, string>();

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  fleet.directory.add('ieper', 'Ieper', 'test');
  for (let i = 0; i < lockerCount; i++) {
    const id = `ieper-${i + 1}`;
    const provisioned = fleet.registry.provision(
      { id, municipalityId: 'ieper', siteId: null, name: id },
      'test',
    );
    passwords.set(id, provisioned.mqtt.password);
    lockers.push(new MqttLocker(id, { url: fleet.brokerUrl, password: provisioned.mqtt.password }));
  }
  await Promise.all(lockers.map((l) => l.start()));
}, 60_000);

afterAll(async () => {
  await Promise.all(lockers.map((l) => l.stop()));
  await fleet?.stop();
});

describe('a fleet of simulated lockers over MQTT (simulator MqttLocker, embedded broker)', () => {
  it('every locker comes online and applies each of its reservations in version order', async () => {
    await until(() => fleet.store.lockers.list('all').every((l) => l.online), 'all lockers online');
    const made = Array.from({ length: 240 }, (_, i) =>
      fleet.reservations.create(
        {
          lockerId: `ieper-${(i % lockerCount) + 1}`,
          itemType: 'hall_key',
          citizen: { name: `Burger ${i}`, email: `b${i}@example.be`, language: 'nl', channel: 'email' },
        },
        'test',
      ),
    );
    await until(
      () => made.every((r) => lockers.find((l) => l.lockerId === r.lockerId)!.seen.has(r.id)),
      'every reservation at its locker',
    );
    await until(
      () =>
        fleet.store.lockers
          .list('all')
          .every((l) => l.appliedVersion === fleet.store.lockers.latestVersion(l.id)),
      'every locker acknowledged its latest version',
    );
    expect(lockers.every((l) => l.seen.size === 240 / lockerCount)).toBe(true);
  });

  it('a locker that was away catches up on what it missed when it reconnects', async () => {
    const away = lockers[0]!;
    await away.stop();
    const missed = [0, 1, 2].map((i) =>
      fleet.reservations.create(
        {
          lockerId: away.lockerId,
          itemType: 'hall_key',
          citizen: { name: `Later ${i}`, email: `l${i}@example.be`, language: 'nl', channel: 'email' },
        },
        'test',
      ),
    );
    const back = new MqttLocker(away.lockerId, {
      url: fleet.brokerUrl,
      password: passwords.get(away.lockerId)!,
    });
    back.version = away.version;
    lockers[0] = back;
    await back.start();
    await until(() => missed.every((r) => back.seen.has(r.id)), 'missed reservations after reconnect');
    expect(back.version).toBe(fleet.store.lockers.latestVersion(away.lockerId));
  });

  it('a locker ahead of the fleet’s change log (the fleet restored from a backup) gets a snapshot above its version', async () => {
    const restored = lockers[1]!;
    await restored.stop();
    const ahead = new MqttLocker(restored.lockerId, {
      url: fleet.brokerUrl,
      password: passwords.get(restored.lockerId)!,
    });
    ahead.version = fleet.store.lockers.latestVersion(restored.lockerId) + 50;
    lockers[1] = ahead;
    await ahead.start();
    await until(
      () => ahead.version > fleet.store.lockers.latestVersion(restored.lockerId) - 1 && ahead.seen.size > 0,
      'snapshot applied',
    );
    expect(ahead.seen.size).toBe(240 / lockerCount);
    const later = fleet.reservations.create(
      {
        lockerId: ahead.lockerId,
        itemType: 'hall_key',
        citizen: { name: 'Na herstel', email: 'n@example.be', language: 'nl', channel: 'email' },
      },
      'test',
    );
    await until(() => ahead.seen.has(later.id), 'a new reservation after the snapshot');
  });
});
