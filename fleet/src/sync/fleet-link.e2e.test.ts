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

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  fleet.directory.add('ieper', 'Ieper', 'test');
  const provisioned = fleet.registry.provision(
    { id: lockerId, municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  locker = await connectProbe(fleet.brokerUrl, lockerId, provisioned.mqtt.password, `locker-${lockerId}`);
  locker.on('message', (_topic, payload) => acks.push(payload.toString()));
  await locker.subscribeAsync(topicFor('eventsAck', lockerId), { qos: 1 });
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
    const payload = event();
    await locker.publishAsync(topicFor('events', lockerId), payload, { qos: 1 });
    await locker.publishAsync(topicFor('events', lockerId), payload, { qos: 1 });
    await until(() => acks.length === 2, 'two acknowledgements');
    const { id } = JSON.parse(payload) as { id: string };
    expect(acks.map((a) => JSON.parse(a))).toEqual([
      { v: 1, acks: [{ seq: 1, id }] },
      { v: 1, acks: [{ seq: 1, id }] },
    ]);
    expect(fleet.store.events.count()).toBe(1);
    expect(fleet.link.counters).toMatchObject({ eventsApplied: 1, eventsDuplicate: 1 });
    expect(fleet.store.lockers.compartment(lockerId, 3)).toMatchObject({ door: 'open' });
  });

  it('rejects, counts and never applies a payload that is not JSON, breaks the schema, or names another locker', async () => {
    const before = fleet.link.counters.rejectedMessages;
    for (const bad of [
      'not json',
      event({ type: 'teleported' }),
      event({ seq: -1 }),
      event({ lockerId: 'poperinge-1' }),
    ])
      await locker.publishAsync(topicFor('events', lockerId), bad, { qos: 1 });
    await locker.publishAsync(topicFor('telemetry', lockerId), '{"v":1}', { qos: 1 });
    await until(() => fleet.link.counters.rejectedMessages === before + 5, 'five rejections');
    expect(fleet.store.events.count()).toBe(1);
    expect(acks).toHaveLength(2);
  });
});
