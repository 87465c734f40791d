import {
  closedFlag,
  connectProbe,
  FleetProcess,
  freePort,
  MosquittoBroker,
  until,
} from '@locker/test-kit/fleet';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let fleet: FleetProcess;
let mosquitto: MosquittoBroker;
const credentials = new Map<string, string>();
const clients: MqttClient[] = [];

async function connect(username: string, password: string): Promise<MqttClient> {
  const client = await connectProbe(mosquitto.url, username, password, username);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  fleet = new FleetProcess(
    'http: { host: 127.0.0.1, port: 0 }\nmqtt: { broker: external, url: "mqtt://127.0.0.1:1" }\n',
  );
  await fleet.admin(['add-municipality', '--id', 'ieper', '--name', 'Ieper']);
  for (const id of ['ieper-1', 'ieper-2']) {
    const out = JSON.parse(
      await fleet.admin(['provision-locker', '--id', id, '--municipality', 'ieper', '--name', id]),
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

describe('external Mosquitto: decommissioning takes effect when the operator writes the files again and reloads', () => {
  it('after decommission-locker, mosquitto-files and SIGHUP the locker’s live session is closed and its login refused; other lockers stay', async () => {
    const decommissioned = await connect('ieper-1', credentials.get('ieper-1')!);
    const other = await connect('ieper-2', credentials.get('ieper-2')!);
    const closed = closedFlag(decommissioned);
    await fleet.admin(['decommission-locker', '--id', 'ieper-1', '--reason', 'site closed']);
    await fleet.admin(['mosquitto-files', '--out', fleet.dir]);
    mosquitto.reload();
    await until(closed, 'Mosquitto closed the decommissioned locker’s session', 15_000);
    await expect(connect('ieper-1', credentials.get('ieper-1')!)).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
    expect(other.connected).toBe(true);
  }, 60_000);

  it('after rotate-locker, mosquitto-files and SIGHUP the session on the old password is closed; the new password logs in', async () => {
    const old = await connect('ieper-2', credentials.get('ieper-2')!);
    const closed = closedFlag(old);
    const rotated = JSON.parse(await fleet.admin(['rotate-locker', '--id', 'ieper-2'])) as {
      password: string;
    };
    await fleet.admin(['mosquitto-files', '--out', fleet.dir]);
    mosquitto.reload();
    await until(closed, 'Mosquitto closed the session on the old password', 15_000);
    await expect(connect('ieper-2', credentials.get('ieper-2')!)).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
    expect((await connect('ieper-2', rotated.password)).connected).toBe(true);
  }, 60_000);
});
