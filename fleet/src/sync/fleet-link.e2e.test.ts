import { randomUUID } from 'node:crypto';
import { topicFor } from '@locker/protocol';
import { connectProbe, createTestFleet, until } from '@locker/test-kit/fleet';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';

const lockerId = 'ieper-1';
let fleet: Fleet;
let locker: MqttClient;
const acks: string[] = [];
/** Reservation changes the locker received, by version. */
const versions: number[] = [];

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  fleet.directory.add('ieper', 'Ieper', 'test');
  const provisioned = fleet.registry.provision(
    { id: lockerId, municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  locker = await connectProbe(fleet.brokerUrl, lockerId, provisioned.mqtt.password, `locker-${lockerId}`);
  locker.on('message', (topic, payload) => {
    if (topic === topicFor('reservations', lockerId))
      versions.push((JSON.parse(payload.toString()) as { version: number }).version);
    else acks.push(payload.toString());
  });
  await locker.subscribeAsync([topicFor('eventsAck', lockerId), topicFor('reservations', lockerId)], {
    qos: 1,
  });
});

afterAll(async () => {
  await locker?.endAsync(true);
  await fleet?.stop();
});

const event = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    id: randomUUID(),
    seq: 1,
    lockerId,
    type: 'door_opened',
    at: new Date().toISOString(),
    compartment: 3,
    data: {},
    ...patch,
  });

describe('the fleet’s MQTT link: what a locker sends', () => {
  it('applies a valid event once and acknowledges it every time it arrives', async () => {
    const acksBefore = acks.length;
    const eventsBefore = fleet.store.events.count();
    const appliedBefore = fleet.link.counters.eventsApplied;
    const duplicatesBefore = fleet.link.counters.eventsDuplicate;
    const payload = event();
    await locker.publishAsync(topicFor('events', lockerId), payload, { qos: 1 });
    await locker.publishAsync(topicFor('events', lockerId), payload, { qos: 1 });
    await until(() => acks.length === acksBefore + 2, 'two acknowledgements');
    const { id } = JSON.parse(payload) as { id: string };
    expect(acks.slice(acksBefore).map((a) => JSON.parse(a))).toEqual([
      { v: 1, acks: [{ seq: 1, id }] },
      { v: 1, acks: [{ seq: 1, id }] },
    ]);
    expect(fleet.store.events.count()).toBe(eventsBefore + 1);
    expect(fleet.link.counters).toMatchObject({
      eventsApplied: appliedBefore + 1,
      eventsDuplicate: duplicatesBefore + 1,
    });
    expect(fleet.store.lockers.compartment(lockerId, 3)).toMatchObject({ door: 'open' });
  });

  it('rejects, counts and never applies a payload that is not JSON, breaks the schema, or names another locker', async () => {
    const before = fleet.link.counters.rejectedMessages;
    const eventsBefore = fleet.store.events.count();
    const acksBefore = acks.length;
    for (const bad of [
      'not json',
      event({ type: 'teleported' }),
      event({ seq: -1 }),
      event({ lockerId: 'poperinge-1' }),
    ])
      await locker.publishAsync(topicFor('events', lockerId), bad, { qos: 1 });
    await locker.publishAsync(topicFor('telemetry', lockerId), '{"v":1}', { qos: 1 });
    await until(() => fleet.link.counters.rejectedMessages === before + 5, 'five rejections');
    expect(fleet.store.events.count()).toBe(eventsBefore);
    expect(acks).toHaveLength(acksBefore);
  });
});

describe('the fleet’s MQTT link: what a locker is sent', () => {
  const reserve = () =>
    fleet.reservations.create(
      {
        lockerId,
        itemType: 'hall_key',
        citizen: { name: 'Jan Peeters', email: 'jan@example.be', language: 'nl', channel: 'email' },
      },
      'test',
    );
  const reportApplied = (version: number) =>
    locker.publishAsync(
      topicFor('syncState', lockerId),
      JSON.stringify({ v: 1, version, bootId: randomUUID(), reason: 'applied' }),
      { qos: 1 },
    );

  it('a change committed while the fleet’s link was away from the broker reaches a locker that stayed connected, once the link is back', async () => {
    reserve();
    const first = fleet.store.lockers.latestVersion(lockerId);
    await until(() => versions.includes(first), `change ${first} at the locker`);
    await reportApplied(first);
    await until(() => fleet.store.lockers.get(lockerId)?.appliedVersion === first, 'the locker in step');
    // the fleet restarts behind a broker that keeps the lockers connected (or its link reconnects):
    // what is committed meanwhile is not sent, and the locker has no reason to ask
    await fleet.link.stop();
    reserve();
    const missed = fleet.store.lockers.latestVersion(lockerId);
    expect(missed).toBe(first + 1);
    await fleet.link.start();
    await until(() => versions.includes(missed), `change ${missed} at the locker`);
  });
});
