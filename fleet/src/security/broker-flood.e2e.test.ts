import { connect, type Socket } from 'node:net';
import { connectProbe, createTestFleet, until } from '@locker/test-kit/fleet';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import { buildApp } from '../http/app.ts';
import type { ProvisionedLocker } from '../services/locker-registry.ts';

/**
 * The attack of issue 10.4: unauthenticated clients open idle sockets and send fixed headers that
 * declare 256 MiB packets, from addresses other than the real locker's (every 127/8 address is
 * this machine). The broker closes what is over its limits, counts it, and HTTP and a real locker
 * carry on.
 */
const limits = {
  connectTimeoutMs: 5000,
  connectPacketBytes: 4096,
  packetBytes: 8192,
  connections: 60,
  connectionsPerAddress: 10,
};
const oversizedHeader = Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]);

let fleet: Fleet;
let app: FastifyInstance;
let httpUrl: string;
let locker: ProvisionedLocker;
const attackers: Socket[] = [];

/** A raw TCP socket from `localAddress`; resolves once connected, records when the broker closes it. */
function attacker(localAddress: string): Promise<{ socket: Socket; closed: () => boolean }> {
  let closed = false;
  const socket = connect({ host: '127.0.0.1', port: fleet.broker!.port, localAddress });
  attackers.push(socket);
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  return new Promise((resolve) => socket.once('connect', () => resolve({ socket, closed: () => closed })));
}

beforeAll(async () => {
  fleet = createTestFleet({ mqtt: { broker: 'embedded', port: 0, limits } });
  await fleet.start();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  locker = fleet.registry.provision(
    { id: 'ieper-1', municipalityId: 'ieper', siteId: null, name: 'Stadhuis' },
    'test',
  );
  app = buildApp({ ...fleet.httpServices(), logger: pino({ level: 'silent' }), secureCookies: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  httpUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  for (const socket of attackers) socket.destroy();
  await app?.close();
  await fleet?.stop();
});

describe('attack: flooding the embedded broker without logging in', () => {
  it('closes a socket whose first packet declares 256 MiB as soon as the header arrives', async () => {
    const before = fleet.broker!.counters.oversizedPackets;
    const sockets = await Promise.all([1, 2, 3, 4, 5].map(() => attacker('127.0.0.3')));
    for (const { socket } of sockets) {
      socket.write(oversizedHeader);
      socket.write(Buffer.alloc(64 * 1024, 0x41));
    }
    await until(() => sockets.every((s) => s.closed()), 'the broker to close all five sockets');
    expect(fleet.broker!.counters.oversizedPackets).toBe(before + 5);
  });

  it('closes a logged-in locker that publishes a packet over its limit', async () => {
    const before = fleet.broker!.counters.oversizedPackets;
    const client = await connectProbe(fleet.brokerUrl, 'ieper-1', locker.mqtt.password, 'locker-ieper-1');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('lockers/v1/ieper-1/telemetry', Buffer.alloc(limits.packetBytes + 1, 0x7b));
    await closed;
    await client.endAsync(true);
    expect(fleet.broker!.counters.oversizedPackets).toBe(before + 1);
  });

  it('refuses sockets past the per-address limit, closes idle ones at the CONNECT timeout; HTTP and a locker carry on', async () => {
    const refusedBefore = fleet.broker!.counters.refusedConnections;
    const idle = await Promise.all(Array.from({ length: 30 }, () => attacker('127.0.0.2')));
    await until(
      () => idle.filter((s) => s.closed()).length >= 20,
      'the broker to close the 20 sockets over the per-address limit',
    );
    expect(fleet.broker!.counters.refusedConnections - refusedBefore).toBeGreaterThanOrEqual(20);

    // while the attacker holds its 10 sockets: HTTP answers and the real locker logs in from its own address
    const health = await fetch(`${httpUrl}/healthz`);
    expect(health.status).toBe(200);
    const client = await connectProbe(fleet.brokerUrl, 'ieper-1', locker.mqtt.password, 'locker-ieper-1');
    expect(client.connected).toBe(true);
    await client.endAsync(true);
    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^fleet_broker_refused_connections_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^fleet_broker_oversized_packets_total [1-9]\d*$/m);

    // the admitted idle sockets never sent CONNECT: the broker closes them too
    await until(() => idle.every((s) => s.closed()), 'the CONNECT timeout to close the idle sockets', 20_000);
  });

  it('refuses sockets past the total limit, whatever their address', async () => {
    const refusedBefore = fleet.broker!.counters.refusedConnections;
    const addresses = Array.from({ length: 8 }, (_, i) => `127.0.1.${i + 1}`);
    const sockets = await Promise.all(
      addresses.flatMap((address) => Array.from({ length: 10 }, () => attacker(address))),
    );
    await until(
      () => fleet.broker!.counters.refusedConnections - refusedBefore >= 80 - limits.connections,
      'the broker to refuse the sockets over the total limit',
    );
    expect(fleet.broker!.openSockets).toBeLessThanOrEqual(limits.connections);
    for (const { socket } of sockets) socket.destroy();
  });
});
