import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicFor } from '@locker/protocol';
import { closedFlag, connectProbe, createTestFleet, until } from '@locker/test-kit/fleet';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fleet } from '../fleet.ts';
import type { ProvisionedLocker } from '../services/locker-registry.ts';

const storePath = join(mkdtempSync(join(tmpdir(), 'revoked-elsewhere-')), 'fleet.db');
let fleet: Fleet;
/** What the command line opens: the same store, no broker, no network. */
let cli: Fleet;
const clients: MqttClient[] = [];
const lockers = new Map<string, ProvisionedLocker>();
let seq = 0;

async function connectLocker(lockerId: string, secret: string): Promise<MqttClient> {
  const client = await connectProbe(fleet.brokerUrl, lockerId, secret, `locker-${lockerId}`);
  clients.push(client);
  return client;
}

function publishEvent(client: MqttClient, lockerId: string): string {
  const id = randomUUID();
  seq++;
  const event = {
    v: 1,
    id,
    seq,
    lockerId,
    type: 'door_closed',
    at: new Date().toISOString(),
    compartment: 1,
  };
  client.publish(topicFor('events', lockerId), JSON.stringify(event), { qos: 0 });
  return id;
}

const applied = (lockerId: string, id: string) =>
  fleet.store.events.recent([lockerId], 1000).some((e) => e.id === id);

beforeAll(async () => {
  fleet = createTestFleet({ store: { path: storePath } });
  await fleet.start();
  fleet.store.directory.upsertMunicipality('ieper', 'Ieper');
  for (const id of ['ieper-rot', 'ieper-dec'])
    lockers.set(
      id,
      fleet.registry.provision({ id, municipalityId: 'ieper', siteId: null, name: id }, 'test'),
    );
  cli = createTestFleet({
    store: { path: storePath },
    mqtt: { broker: 'external', url: 'mqtt://127.0.0.1:1' },
  });
  await cli.open();
}, 30_000);

afterAll(async () => {
  for (const client of clients.splice(0)) await client.endAsync(true);
  await cli?.stop();
  await fleet?.stop();
});

describe('credentials revoked by another process on the same store (the command line)', () => {
  it('the live session of a locker rotated or decommissioned elsewhere is closed at its next publish, which is not applied', async () => {
    const rotating = await connectLocker('ieper-rot', lockers.get('ieper-rot')!.mqtt.password);
    const leaving = await connectLocker('ieper-dec', lockers.get('ieper-dec')!.mqtt.password);
    const before = publishEvent(rotating, 'ieper-rot');
    await until(() => applied('ieper-rot', before), 'event applied before the rotation');

    const rotated = cli.registry.rotate('ieper-rot', 'cli');
    cli.registry.decommission('ieper-dec', 'site closed', 'cli');
    const refused = fleet.broker!.counters.refusedPublishes;

    const rotatingClosed = closedFlag(rotating);
    const stale = publishEvent(rotating, 'ieper-rot');
    await until(rotatingClosed, 'the rotated session closed at its publish');
    const leavingClosed = closedFlag(leaving);
    const gone = publishEvent(leaving, 'ieper-dec');
    await until(leavingClosed, 'the decommissioned session closed at its publish');
    expect(fleet.broker!.counters.refusedPublishes).toBe(refused + 2);

    const fresh = await connectLocker('ieper-rot', rotated.password);
    const after = publishEvent(fresh, 'ieper-rot');
    await until(() => applied('ieper-rot', after), 'event of the new password applied');
    expect(applied('ieper-rot', stale)).toBe(false);
    expect(applied('ieper-dec', gone)).toBe(false);
  }, 30_000);
});
