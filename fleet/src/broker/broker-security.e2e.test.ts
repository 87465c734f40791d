import { topicFor } from '@locker/protocol';
import { connectProbe, createTestFleet, rigServicePassword, until } from '@locker/test-kit/fleet';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import type { ProvisionedLocker } from '../services/locker-registry.ts';

let fleet: Fleet;
let ieper: ProvisionedLocker;
let poperinge: ProvisionedLocker;
const clients: MqttClient[] = [];

async function connect(username: string, password: string, clientId: string): Promise<MqttClient> {
  const client = await connectProbe(fleet.brokerUrl, username, password, clientId);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  fleet = createTestFleet();
  await fleet.start();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  fleet.store.directory.upsertMunicipality('poperinge', 'Poperinge');
  ieper = fleet.registry.provision(
    { id: 'ieper-1', municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  poperinge = fleet.registry.provision(
    { id: 'poperinge-1', municipalityId: 'poperinge', siteId: null, name: 'Bib' },
    'test',
  );
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true);
});

afterAll(async () => {
  await fleet?.stop();
});

describe('broker: per-locker identity and topic ACL (plain MQTT clients against the embedded broker)', () => {
  it('refuses a wrong password, an unknown user, and a right password under another locker’s client id', async () => {
    const refused = fleet.broker!.counters.refusedLogins;
    await expect(connect('ieper-1', 'wrong', 'locker-ieper-1')).rejects.toThrow(
      /Bad username or password|Not authorized/i,
    );
    await expect(connect('nobody', ieper.mqtt.password, 'locker-nobody')).rejects.toThrow();
    await expect(connect('ieper-1', ieper.mqtt.password, 'locker-poperinge-1')).rejects.toThrow();
    await expect(connect('_fleet', 'guess', 'fleet-x')).rejects.toThrow();
    expect(fleet.broker!.counters.refusedLogins).toBe(refused + 4);
  });

  it('a locker cannot subscribe to another locker’s topics or to wildcards', async () => {
    const client = await connect('ieper-1', ieper.mqtt.password, 'locker-ieper-1');
    await expect(client.subscribeAsync(topicFor('reservations', 'ieper-1'), { qos: 1 })).resolves.toEqual([
      expect.objectContaining({ qos: 1 }),
    ]);
    for (const filter of [
      topicFor('reservations', 'poperinge-1'),
      topicFor('commands', 'poperinge-1'),
      'lockers/v1/#',
      'lockers/v1/+/events',
      topicFor('events', 'poperinge-1'),
    ])
      await expect(client.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Subscribe error/);
    expect(fleet.broker!.counters.refusedSubscribes).toBeGreaterThanOrEqual(5);
  });

  it('a locker cannot publish as another locker: nothing reaches the fleet, the attempt is counted', async () => {
    const before = fleet.broker!.counters.refusedPublishes;
    const eventsBefore = fleet.store.events.count();
    const client = await connect('ieper-1', ieper.mqtt.password, 'locker-ieper-1');
    const forged = JSON.stringify({
      v: 1,
      id: '0b7c6f1e-3a44-4a53-9d1b-2a0f5d0c9e11',
      seq: 1,
      lockerId: 'poperinge-1',
      type: 'picked_up',
      at: new Date().toISOString(),
    });
    client.publish(topicFor('events', 'poperinge-1'), forged, { qos: 0 });
    client.publish(topicFor('reservations', 'ieper-1'), '{}', { qos: 0 });
    await until(() => fleet.broker!.counters.refusedPublishes >= before + 1, 'refused publish counted');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fleet.store.events.count()).toBe(eventsBefore);
  });

  it('rotated credentials: the old password stops working, the new one works', async () => {
    const fresh = fleet.registry.rotate('poperinge-1', 'it-admin');
    await expect(connect('poperinge-1', poperinge.mqtt.password, 'locker-poperinge-1')).rejects.toThrow();
    const client = await connect('poperinge-1', fresh.password, 'locker-poperinge-1');
    expect(client.connected).toBe(true);
  });

  it('the fleet’s service identity connects only with its own password', async () => {
    const client = await connect('_fleet', rigServicePassword, 'fleet-observer');
    const granted = await client.subscribeAsync(topicFor('events', 'ieper-1'), { qos: 1 });
    expect(granted[0]?.qos).toBe(1);
  });
});
