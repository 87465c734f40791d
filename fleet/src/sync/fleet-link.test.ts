import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type LockerEvent,
  type ReservationChange,
  topicFor,
  type UpdateCommand,
  type UpdateStatus,
} from '@locker/protocol';
import { FakeMqttClient } from '@locker/test-kit/mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveUpdate } from '../services/change-publisher.ts';
import { FleetStore } from '../store/fleet-store.ts';
import { FleetLink } from './fleet-link.ts';

const lockerId = 'ieper-1';
const at = '2026-11-24T10:00:00.000Z';

let store: FleetStore;
let client: FakeMqttClient;
let applied: LockerEvent[];
/** Event ids whose commit fails (a full disk, say). */
let failing: Set<string>;
let snapshots: number[];
let live: LiveUpdate[];
/** What the link told rollouts: update statuses and lockers coming online. */
let heard: { observed: [string, UpdateStatus][]; online: string[] };
let link: FleetLink;

beforeEach(() => {
  store = FleetStore.open(join(mkdtempSync(join(tmpdir(), 'fleet-link-')), 'fleet.db'));
  store.directory.upsertMunicipality('ieper', 'Ieper');
  store.lockers.insert({
    id: lockerId,
    municipalityId: 'ieper',
    siteId: null,
    name: 'Stadhuis',
    mqttHash: 'x',
    codeKeyBox: 'x',
    createdAt: at,
  });
  client = new FakeMqttClient();
  applied = [];
  failing = new Set();
  snapshots = [];
  live = [];
  heard = { observed: [], online: [] };
  link = new FleetLink(
    { url: () => 'mqtt://broker.test', password: 'service', connect: () => client },
    {
      store,
      reservations: {
        applyEvent: (event) => {
          if (failing.has(event.id)) throw new Error('SQLITE_FULL: database or disk is full');
          const fresh = !applied.some((e) => e.id === event.id);
          applied.push(event);
          return fresh ? 'applied' : 'duplicate';
        },
        snapshotFor: (id, above) => {
          snapshots.push(above);
          return store.lockers.appendChange(
            id,
            { kind: 'snapshot', reservations: [], staff: [] },
            at,
            above + 1,
          );
        },
      },
      auditHeads: { observe: () => undefined },
      updates: {
        observe: (id, status) => heard.observed.push([id, status]),
        online: (id) => heard.online.push(id),
      },
      onLive: (update) => live.push(update),
      logger: pino({ level: 'silent' }),
    },
  );
});

afterEach(async () => {
  await link.stop();
  store.close();
});

async function started(): Promise<void> {
  const starting = link.start();
  client.accept();
  await starting;
}

const event = (patch: Partial<LockerEvent> = {}) => ({
  v: 1,
  id: randomUUID(),
  seq: 1,
  lockerId,
  type: 'door_opened',
  at,
  compartment: 3,
  data: {},
  ...patch,
});

function appendRemoves(count: number): void {
  for (let i = 0; i < count; i++)
    store.lockers.appendChange(lockerId, { kind: 'remove', reservationId: `r-${i}` }, at);
}

const versions = () =>
  (client.sentOn(topicFor('reservations', lockerId)) as ReservationChange[]).map((c) => c.version);

describe('FleetLink with a fake MQTT client', () => {
  it('is started once the broker took its subscriptions to what every locker publishes', async () => {
    let done = false;
    const starting = link.start().then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    client.accept();
    await starting;
    expect(client.subscriptions).toEqual([
      'lockers/v1/+/events',
      'lockers/v1/+/sync',
      'lockers/v1/+/status',
      'lockers/v1/+/telemetry',
      'lockers/v1/+/commands/result',
      'lockers/v1/+/update/status',
    ]);
    expect(link.connected).toBe(true);
  });

  it('applies an event and acknowledges it when the handler returns; a redelivery is acknowledged again', async () => {
    await started();
    const payload = event({ seq: 7 });
    client.deliver(topicFor('events', lockerId), payload);
    // synchronous: the event is committed and acknowledged before the client's message handler returns
    expect(applied.map((e) => e.id)).toEqual([payload.id]);
    client.deliver(topicFor('events', lockerId), payload);
    expect(client.sentOn(topicFor('eventsAck', lockerId))).toEqual([
      { v: 1, acks: [{ seq: 7, id: payload.id }] },
      { v: 1, acks: [{ seq: 7, id: payload.id }] },
    ]);
    expect(link.counters).toMatchObject({ eventsApplied: 1, eventsDuplicate: 1, rejectedMessages: 0 });
  });

  it('never acknowledges an event whose commit failed, and goes on with the next one', async () => {
    await started();
    const lost = event({ seq: 1 });
    const next = event({ seq: 2 });
    failing.add(lost.id);
    client.deliver(topicFor('events', lockerId), lost);
    client.deliver(topicFor('events', lockerId), next);
    expect(client.sentOn(topicFor('eventsAck', lockerId))).toEqual([
      { v: 1, acks: [{ seq: 2, id: next.id }] },
    ]);
    expect(link.counters).toMatchObject({ eventsApplied: 1, rejectedMessages: 0 });
  });

  it('rejects and counts a bad payload, another locker’s event and an unprovisioned locker, applying none', async () => {
    await started();
    client.deliver(topicFor('events', lockerId), 'not json');
    client.deliver(topicFor('events', lockerId), event({ seq: -1 }));
    client.deliver(topicFor('events', lockerId), event({ lockerId: 'poperinge-1' }));
    client.deliver(topicFor('events', 'poperinge-1'), event({ lockerId: 'poperinge-1' }));
    client.deliver(topicFor('telemetry', lockerId), { v: 1 });
    expect(applied).toEqual([]);
    expect(client.sentOn(topicFor('eventsAck', lockerId))).toEqual([]);
    expect(link.counters.rejectedMessages).toBe(5);
  });

  it('records presence and tells the dashboard', async () => {
    await started();
    client.deliver(topicFor('status', lockerId), {
      v: 1,
      state: 'online',
      software: '1.2.3',
      bootId: 'b1',
      at,
    });
    expect(store.lockers.get(lockerId)).toMatchObject({ online: true, software: '1.2.3', bootId: 'b1' });
    expect(live).toEqual([{ kind: 'locker', lockerId }]);
  });

  it('hands update statuses and a locker coming online to rollouts; a bad status is rejected and counted', async () => {
    await started();
    const status: UpdateStatus = {
      v: 1,
      rolloutId: 'r1',
      version: '0.2.0',
      state: 'healthy',
      running: '0.2.0',
      at,
    };
    client.deliver(topicFor('updateStatus', lockerId), status);
    client.deliver(topicFor('updateStatus', lockerId), { ...status, state: 'exploded' });
    client.deliver(topicFor('updateStatus', 'poperinge-1'), status);
    client.deliver(topicFor('status', lockerId), {
      v: 1,
      state: 'online',
      software: '0.2.0',
      bootId: 'b2',
      at,
    });
    client.deliver(topicFor('status', lockerId), { v: 1, state: 'offline', bootId: 'b2' });
    expect(heard).toEqual({ observed: [[lockerId, status]], online: [lockerId] });
    expect(link.counters.rejectedMessages).toBe(2);
  });

  it('sends an update command to the locker’s own topic, and reports false while down', async () => {
    const command: UpdateCommand = {
      v: 1,
      rolloutId: 'r1',
      release: {
        manifest: { v: 1, role: 'locker', version: '0.2.0', sha256: 'a'.repeat(64), size: 1, signedAt: at },
        keyId: '0123456789abcdef',
        signature: `${'A'.repeat(86)}==`,
      },
    };
    expect(link.sendUpdate(lockerId, command)).toBe(false);
    await started();
    expect(link.sendUpdate(lockerId, command)).toBe(true);
    expect(client.sentOn(topicFor('update', lockerId))).toHaveLength(1);
  });

  it('answers a locker’s connect with the changes it missed, and one that is ahead with a snapshot', async () => {
    await started();
    appendRemoves(3);
    client.deliver(topicFor('syncState', lockerId), { v: 1, version: 1, bootId: 'b1', reason: 'connect' });
    expect(versions()).toEqual([2, 3]);
    client.deliver(topicFor('syncState', lockerId), { v: 1, version: 3, bootId: 'b1', reason: 'applied' });
    expect(versions()).toEqual([2, 3]);
    client.deliver(topicFor('syncState', lockerId), { v: 1, version: 9, bootId: 'b1', reason: 'connect' });
    expect(snapshots).toEqual([9]);
    expect(versions()).toEqual([2, 3, 10]);
    expect(store.lockers.get(lockerId)?.appliedVersion).toBe(9);
    expect(link.counters.catchUps).toBe(2);
  });

  it('subscribes again after a reconnect, sends nothing while down, and fills the locker’s gap on its return without being asked', async () => {
    await started();
    client.drop();
    appendRemoves(2);
    link.sendChange(lockerId, { v: 1, version: 1, kind: 'remove', reservationId: 'r-0' });
    expect(versions()).toEqual([]);
    client.accept(true);
    await vi.waitFor(() => expect(client.subscriptions).toHaveLength(12));
    // a locker that stayed connected to the broker never reports again: the fleet sends what it lacks
    await vi.waitFor(() => expect(versions()).toEqual([1, 2]));
  });
});
