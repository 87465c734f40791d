import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fleet, type FleetConfigInput, fleetConfigSchema } from '@locker/fleet';
import pino from 'pino';
import { LockerRig } from '../locker/index.ts';

export const rigMasterKey = 'm'.repeat(48);
export const rigServicePassword = 's'.repeat(48);

/** A whole fleet service for tests: temp SQLite file, embedded broker on a free loopback port. */
export function createTestFleet(
  overrides: Partial<FleetConfigInput> = {},
  now?: () => number,
  randomPin?: () => string,
): Fleet {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-rig-'));
  const config = fleetConfigSchema.parse({
    mode: 'development',
    http: { port: 0 },
    mqtt: { broker: 'embedded', port: 0 },
    store: { path: join(dir, 'fleet.db') },
    secrets: { masterKey: { env: 'FLEET_MASTER_KEY' }, servicePassword: { env: 'FLEET_SERVICE_PASSWORD' } },
    schedule: { tickMs: 200 },
    ...overrides,
  } satisfies FleetConfigInput);
  return new Fleet({
    config,
    logger: pino({ level: process.env.FLEET_TEST_LOG ?? 'silent' }),
    env: { FLEET_MASTER_KEY: rigMasterKey, FLEET_SERVICE_PASSWORD: rigServicePassword },
    ...(now ? { now } : {}),
    ...(randomPin ? { randomPin } : {}),
  });
}

/** Polls `check` until it holds; throws naming what was awaited. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A real locker (simulated cabinet on ptys, device runtime in this process) provisioned at `fleet` and connected. */
export async function startLockerAt(
  fleet: Fleet,
  lockerId: string,
  municipality: string,
): Promise<LockerRig> {
  const provisioned = fleet.registry.provision(
    { id: lockerId, municipalityId: municipality, siteId: null, name: lockerId },
    'test',
  );
  const rig = new LockerRig({
    fleet: {
      url: fleet.brokerUrl,
      lockerId,
      municipality,
      password: provisioned.mqtt.password,
      codeKey: provisioned.codeKey,
    },
  });
  await rig.start();
  await rig.startDeviceInProcess();
  return rig;
}

/** True once the locker acknowledged the newest change the fleet has for it. */
export function inSync(fleet: Fleet, lockerId: string): boolean {
  const locker = fleet.store.lockers.get(lockerId);
  return !!locker && locker.appliedVersion >= fleet.store.lockers.latestVersion(lockerId);
}
