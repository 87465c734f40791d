import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { encodePayload, topicFor } from '@locker/protocol';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MqttLocker } from './mqtt-locker.ts';

let broker: Aedes | undefined;
let server: Server | undefined;
let locker: MqttLocker | undefined;
let fleet: MqttClient | undefined;

afterEach(async () => {
  await locker?.stop();
  await fleet?.endAsync(true);
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => (broker ? broker.close(() => resolve()) : resolve()));
});

/** An open aedes broker on a loopback port chosen by the system. */
async function startBroker(): Promise<string> {
  const started = await Aedes.createBroker();
  broker = started;
  server = createServer((socket) => started.handle(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return `mqtt://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('MqttLocker', () => {
  it('refuses a reservation change that does not parse (counted, nothing applied) and applies the next one', async () => {
    const url = await startBroker();
    locker = new MqttLocker('sim-1', { url, password: 'unused' });
    await locker.start();
    fleet = await mqtt.connectAsync(url, { clientId: 'fleet-test' });
    const topic = topicFor('reservations', 'sim-1');
    await fleet.publishAsync(topic, '{"v":1,"kind":"upsert","version":"one"}', { qos: 1 });
    await fleet.publishAsync(topic, 'not json', { qos: 1 });
    await fleet.publishAsync(
      topic,
      encodePayload('reservations', { v: 1, version: 1, kind: 'remove', reservationId: 'r-1' }),
      {
        qos: 1,
      },
    );
    await vi.waitFor(() => expect(locker?.version).toBe(1), { timeout: 10_000 });
    expect(locker.rejectedMessages).toBe(2);
    expect(locker.connected).toBe(true);
  });
});
