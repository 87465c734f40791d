import { topicFor } from '@locker/protocol';
import { connectProbe, FleetProcess, freePort, MosquittoBroker, processSecret } from '@locker/test-kit/fleet';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

let fleet: FleetProcess;
let mosquitto: MosquittoBroker;
const credentials = new Map<string, string>();
const clients: MqttClient[] = [];

async function connect(username: string, password: string): Promise<MqttClient> {
  const client = await connectProbe(mosquitto.url, username, password, `probe-${username}`);
  clients.push(client);
  return client;
}

const received = (client: MqttClient) => {
  const messages: string[] = [];
  client.on('message', (topic) => messages.push(topic));
  return messages;
};

beforeAll(async () => {
  fleet = new FleetProcess(
    'http: { host: 127.0.0.1, port: 0 }\nmqtt: { broker: external, url: "mqtt://127.0.0.1:1" }\n',
  );
  await fleet.admin(['add-municipality', '--id', 'ieper', '--name', 'Ieper']);
  await fleet.admin(['add-municipality', '--id', 'poperinge', '--name', 'Poperinge']);
  for (const [id, municipality] of [
    ['ieper-1', 'ieper'],
    ['poperinge-1', 'poperinge'],
  ] as const) {
    const out = JSON.parse(
      await fleet.admin(['provision-locker', '--id', id, '--municipality', municipality, '--name', id]),
    ) as { mqtt: { password: string } };
    credentials.set(id, out.mqtt.password);
  }
  await fleet.admin(['mosquitto-files', '--out', fleet.dir]);
  mosquitto = new MosquittoBroker(fleet.dir, await freePort());
  await mosquitto.start();
}, 60_000);

afterAll(async () => {
  for (const client of clients) await client.endAsync(true);
  await mosquitto?.stop();
});

describe('Mosquitto with the files the fleet generated: a locker reaches only its own topics', () => {
  it('refuses a wrong password and a password of another locker', async () => {
    await expect(connect('ieper-1', 'wrong')).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(connect('ieper-1', credentials.get('poperinge-1')!)).rejects.toThrow();
  });

  it('a locker cannot read another locker’s reservations nor write another locker’s events', async () => {
    const fleetService = await connect('_fleet', processSecret);
    const serviceSees = received(fleetService);
    await fleetService.subscribeAsync('lockers/v1/+/events', { qos: 1 });

    const ieper = await connect('ieper-1', credentials.get('ieper-1')!);
    const ieperSees = received(ieper);
    await ieper.subscribeAsync(topicFor('reservations', 'ieper-1'), { qos: 1 });
    // Mosquitto grants or refuses in the SUBACK, but never delivers what the ACL forbids
    await ieper.subscribeAsync(topicFor('reservations', 'poperinge-1'), { qos: 1 }).catch(() => undefined);
    await ieper.subscribeAsync('lockers/v1/#', { qos: 1 }).catch(() => undefined);

    await fleetService.publishAsync(topicFor('reservations', 'poperinge-1'), '{"for":"poperinge"}', {
      qos: 1,
    });
    await fleetService.publishAsync(topicFor('reservations', 'ieper-1'), '{"for":"ieper"}', { qos: 1 });
    await ieper.publishAsync(topicFor('events', 'poperinge-1'), '{"forged":true}', { qos: 1 });
    await ieper.publishAsync(topicFor('events', 'ieper-1'), '{"own":true}', { qos: 1 });
    // each client's own message was published after its forbidden one: once it is in, the other would be too
    await vi.waitFor(
      () => {
        expect(ieperSees).toContain(topicFor('reservations', 'ieper-1'));
        expect(serviceSees).toContain(topicFor('events', 'ieper-1'));
      },
      { timeout: 10_000 },
    );

    expect(ieperSees).toEqual([topicFor('reservations', 'ieper-1')]);
    expect(serviceSees).toEqual([topicFor('events', 'ieper-1')]);
  });
});
