import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttLocker } from '@locker/simulator';
import pino from 'pino';
import { fleetConfigSchema } from '../fleet/src/config/fleet-config.ts';
import { FleetServer } from '../fleet/src/fleet-server.ts';

const logger = pino({ name: 'bench' }, pino.destination(2));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const secret = 'b'.repeat(48);

async function startFleet(): Promise<FleetServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  const server = new FleetServer({
    config: fleetConfigSchema.parse({
      mode: 'development',
      http: { host: '127.0.0.1', port: 0 },
      // every simulated locker connects from 127.0.0.1
      mqtt: { broker: 'embedded', host: '127.0.0.1', port: 0, limits: { connectionsPerAddress: 5000 } },
      store: { path: join(dir, 'fleet.db') },
      secrets: { masterKey: { env: 'K' }, servicePassword: { env: 'K' } },
    }),
    logger: pino({ level: 'warn' }),
    env: { K: secret },
  });
  await server.start();
  return server;
}

async function deskSession(server: FleetServer): Promise<Record<string, string>> {
  const password = 'bench password long enough';
  await server.fleet.staff.create(
    { username: 'bench', display: 'Bench', password, role: 'desk', municipalities: ['ieper'] },
    'bench',
  );
  const response = await fetch(`${server.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password }),
  });
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return {
    cookie: String(response.headers.get('set-cookie')).split(';')[0]!,
    'x-csrf-token': csrfToken,
    'content-type': 'application/json',
  };
}

const body = (lockerId: string, i: number) =>
  JSON.stringify({
    lockerId,
    itemType: 'hall_key',
    citizen: { name: `Burger ${i}`, email: `b${i}@example.be`, language: 'nl', channel: 'email' },
  });

/** Reservations per second through the HTTP API (real HTTP, zod, auth, SQLite, change log, MQTT publish). */
export async function reservationsPerSecond(count: number, concurrency: number) {
  const server = await startFleet();
  server.fleet.directory.add('ieper', 'Ieper', 'bench');
  const lockers = Array.from({ length: 10 }, (_, i) => `ieper-${i + 1}`);
  for (const id of lockers)
    server.fleet.registry.provision({ id, municipalityId: 'ieper', siteId: null, name: id }, 'bench');
  const headers = await deskSession(server);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = await fetch(`${server.httpUrl}/api/reservations`, {
          method: 'POST',
          headers,
          body: body(lockers[i % lockers.length]!, i),
        });
        if (!r.ok) throw new Error(`reservation ${i}: HTTP ${r.status} ${await r.text()}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await server.stop();
  return {
    reservations: count,
    concurrency,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(count / seconds),
  };
}

/** Reservation created through the API → the change applied on its locker, with `lockerCount` lockers connected. */
export async function createdToApplied(lockerCount: number, reservations: number) {
  const server = await startFleet();
  server.fleet.directory.add('ieper', 'Ieper', 'bench');
  const lockers: MqttLocker[] = [];
  const connectStarted = performance.now();
  for (let i = 0; i < lockerCount; i++) {
    const id = `ieper-${String(i + 1).padStart(4, '0')}`;
    const provisioned = server.fleet.registry.provision(
      { id, municipalityId: 'ieper', siteId: null, name: id },
      'bench',
    );
    lockers.push(new MqttLocker(id, { url: server.fleet.brokerUrl, password: provisioned.mqtt.password }));
  }
  for (let i = 0; i < lockers.length; i += 50) {
    await Promise.all(lockers.slice(i, i + 50).map((l) => l.start()));
    if ((i / 50) % 4 === 0)
      logger.info({ connected: Math.min(i + 50, lockers.length), of: lockers.length }, 'lockers connecting');
  }
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const headers = await deskSession(server);
  const latencies: number[] = [];
  for (let i = 0; i < reservations; i++) {
    const locker = lockers[Math.floor(Math.random() * lockers.length)]!;
    const sent = performance.now();
    const r = await fetch(`${server.httpUrl}/api/reservations`, {
      method: 'POST',
      headers,
      body: body(locker.lockerId, i),
    });
    const { id } = (await r.json()) as { id: string };
    const deadline = sent + 10_000;
    while (!locker.seen.has(id)) {
      if (performance.now() > deadline) throw new Error(`reservation ${id} never reached ${locker.lockerId}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    latencies.push(locker.seen.get(id)! - sent);
  }
  const sorted = latencies.sort((a, b) => a - b);
  const rss = process.memoryUsage().rss;
  for (let i = 0; i < lockers.length; i += 100)
    await Promise.all(lockers.slice(i, i + 100).map((l) => l.stop()));
  await server.stop();
  return {
    lockers: lockerCount,
    reservations,
    connectAllSeconds: Number(connectSeconds.toFixed(2)),
    createdToAppliedMs: {
      p50: Number(percentile(sorted, 50).toFixed(2)),
      p99: Number(percentile(sorted, 99).toFixed(2)),
      max: Number((sorted.at(-1) ?? 0).toFixed(2)),
    },
    processRssMiB: Number((rss / 1048576).toFixed(1)),
  };
}
