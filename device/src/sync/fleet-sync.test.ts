import { randomUUID } from 'node:crypto';
import {
  type Command,
  type CommandResult,
  encodePayload,
  type ReservationChange,
  topicFor,
  type UpdateCommand,
  type UpdateStatus,
} from '@locker/protocol';
import { FakeMqttClient } from '@locker/test-kit/mqtt';
import type { IClientOptions } from 'mqtt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChangeVerdict } from '../runtime/locker-core.ts';
import { MemoryOutbox } from '../store/outbox.ts';
import { FleetSync, type FleetSyncOptions, type SyncedLocker } from './fleet-sync.ts';

const lockerId = 'ieper-1';
const at = '2026-11-24T10:00:00.000Z';

/** The locker's reservation copy by version, as LockerCore keeps it, without its store. */
class FakeLocker implements SyncedLocker {
  version = 0;
  readonly commands: Command[] = [];

  syncVersion(): number {
    return this.version;
  }

  applyChange(change: ReservationChange): ChangeVerdict {
    if (change.version <= this.version) return 'duplicate';
    if (change.kind !== 'snapshot' && change.version !== this.version + 1) return 'gap';
    this.version = change.version;
    return 'applied';
  }

  async command(command: Command): Promise<{ result: CommandResult; answer: boolean }> {
    this.commands.push(command);
    return { result: { v: 1, requestId: command.requestId, ok: true, at }, answer: true };
  }
}

let client: FakeMqttClient;
let connectOptions: IClientOptions | undefined;
let locker: FakeLocker;
let outbox: MemoryOutbox;
let sync: FleetSync;

function newSync(updates?: FleetSyncOptions['updates']): FleetSync {
  return new FleetSync(
    {
      url: 'mqtt://fleet.test',
      lockerId,
      software: '1.2.3',
      telemetryMs: 3_600_000,
      telemetry: () => ({ outboxDepth: outbox.depth(), bus: {} }),
      reconnect: { random: () => 0 },
      connect: (_url, options) => {
        connectOptions = options;
        return client;
      },
      ...(updates ? { updates } : {}),
    },
    locker,
    outbox,
    pino({ level: 'silent' }),
  );
}

beforeEach(() => {
  client = new FakeMqttClient();
  locker = new FakeLocker();
  outbox = new MemoryOutbox();
  sync = newSync();
});

afterEach(async () => {
  vi.useRealTimers();
  await sync.stop();
});

function recordEvent(): { seq: number; id: string } {
  const id = randomUUID();
  return outbox.append(id, (seq) =>
    encodePayload('events', { v: 1, id, seq, lockerId, type: 'door_opened', at, compartment: 2 }),
  );
}

/** Waits for what the async connect and message handlers do; generous, for a loaded machine. */
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 });
const syncStates = () => client.sentOn(topicFor('syncState', lockerId));
const sentEvents = () => (client.sentOn(topicFor('events', lockerId)) as { seq: number }[]).map((e) => e.seq);
const change = (version: number): ReservationChange => ({
  v: 1,
  version,
  kind: 'remove',
  reservationId: 'r-1',
});

async function connected(): Promise<void> {
  sync.start();
  client.accept();
  await eventually(() => expect(syncStates()).toHaveLength(1));
}

describe('FleetSync with a fake MQTT client', () => {
  it('connects with an offline last will, subscribes its own topics, says it is online, asks for what it missed and sends its outbox', async () => {
    locker.version = 4;
    recordEvent();
    recordEvent();
    sync.start();
    expect(connectOptions).toMatchObject({
      clientId: `locker-${lockerId}`,
      clean: true,
      reconnectPeriod: 0,
      will: { topic: topicFor('status', lockerId), retain: true, qos: 1 },
    });
    client.accept();
    await eventually(() => expect(sentEvents()).toEqual([1, 2]));
    expect(client.subscriptions).toEqual([
      topicFor('reservations', lockerId),
      topicFor('commands', lockerId),
      topicFor('eventsAck', lockerId),
    ]);
    expect(client.published.find((p) => p.topic === topicFor('status', lockerId))).toMatchObject({
      retain: true,
      qos: 1,
    });
    expect(client.sentOn(topicFor('status', lockerId))).toMatchObject([
      { state: 'online', software: '1.2.3' },
    ]);
    expect(syncStates()).toMatchObject([{ version: 4, reason: 'connect' }]);
    expect(sync.counters.published).toBe(2);
  });

  it('rejects and counts bad messages, applies none, and reports the count in its telemetry', async () => {
    await connected();
    client.deliver(topicFor('reservations', lockerId), '{not json');
    client.deliver(topicFor('reservations', lockerId), {
      v: 1,
      version: 0,
      kind: 'remove',
      reservationId: 'r',
    });
    client.deliver(topicFor('reservations', 'poperinge-1'), change(1));
    client.deliver(topicFor('events', lockerId), { v: 1 }); // a locker's own kind, never from the fleet
    expect(sync.counters.rejectedMessages).toBe(4);
    expect(locker.version).toBe(0);
    sync.publishTelemetry();
    expect(client.sentOn(topicFor('telemetry', lockerId)).at(-1)).toMatchObject({
      bus: { rejectedMessages: 4 },
    });
  });

  it('applies a change and reports the version it holds; a gap is reported so the fleet sends what is missing', async () => {
    await connected();
    client.deliver(topicFor('reservations', lockerId), change(1));
    await eventually(() => expect(syncStates()).toHaveLength(2));
    client.deliver(topicFor('reservations', lockerId), change(3));
    await eventually(() => expect(syncStates()).toHaveLength(3));
    expect(syncStates().slice(1)).toMatchObject([
      { version: 1, reason: 'applied' },
      { version: 1, reason: 'gap' },
    ]);
    expect(sync.counters.changesApplied).toBe(1);
  });

  it('drops an event from the outbox only on the fleet’s acknowledgement of that very event', async () => {
    await connected();
    const first = recordEvent();
    const second = recordEvent();
    await sync.drain();
    client.deliver(topicFor('eventsAck', lockerId), { v: 1, acks: [{ seq: first.seq, id: second.id }] });
    expect(outbox.depth()).toBe(2);
    client.deliver(topicFor('eventsAck', lockerId), { v: 1, acks: [{ seq: first.seq, id: first.id }] });
    expect(outbox.peekAfter(0, 10).map((e) => e.id)).toEqual([second.id]);
    expect(sync.counters.acknowledged).toBe(1);
  });

  it('after a reconnect asks again for what it missed and sends again what was never acknowledged', async () => {
    await connected();
    const first = recordEvent();
    recordEvent();
    await sync.drain();
    client.deliver(topicFor('eventsAck', lockerId), { v: 1, acks: [{ seq: first.seq, id: first.id }] });
    client.deliver(topicFor('reservations', lockerId), change(1));
    await eventually(() => expect(syncStates()).toHaveLength(2));
    client.drop();
    await eventually(() => expect(client.reconnects).toBe(1));
    client.accept();
    await eventually(() => expect(sentEvents()).toEqual([1, 2, 2]));
    expect(syncStates().at(-1)).toMatchObject({ version: 1, reason: 'connect' });
  });

  it('a publish the broker never answered stops waiting when the connection drops, not at its timeout; the next connection sends the event again', async () => {
    await connected();
    // the publish timeout cannot fire: only the dropped connection can end the wait
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    client.holdPublishes = true;
    recordEvent();
    let drained = false;
    void sync.drain().then(() => {
      drained = true;
    });
    await eventually(() => expect(sentEvents()).toEqual([1]));
    expect(drained).toBe(false);
    client.drop(); // the held publish is never answered (MQTT.js starts the next connection with empty stores)
    await eventually(() => expect(drained).toBe(true));
    client.holdPublishes = false;
    client.accept();
    await eventually(() => expect(sentEvents()).toEqual([1, 1]));
    expect(outbox.depth()).toBe(1);
  });

  it('runs a fleet command and answers it with its request id', async () => {
    await connected();
    client.deliver(topicFor('commands', lockerId), { v: 1, requestId: 'q1', type: 'resync', by: 'it' });
    await eventually(() =>
      expect(client.sentOn(topicFor('commandResults', lockerId))).toMatchObject([
        { requestId: 'q1', ok: true },
      ]),
    );
    expect(locker.commands).toHaveLength(1);
    expect(sync.counters.commands).toBe(1);
  });

  it('with updates: subscribes the update topic, hands an update command to the updater, tells it of each connect and sends its status', async () => {
    const commands: UpdateCommand[] = [];
    let connects = 0;
    sync = newSync({ onCommand: (c) => commands.push(c), onConnected: () => connects++ });
    await connected();
    expect(client.subscriptions).toContain(topicFor('update', lockerId));
    expect(connects).toBe(1);
    client.deliver(topicFor('update', lockerId), updateCommand);
    client.deliver(topicFor('update', lockerId), { ...updateCommand, rolloutId: '' });
    expect(commands).toEqual([updateCommand]);
    expect(sync.counters.rejectedMessages).toBe(1);
    expect(await sync.publishUpdateStatus(updateStatus)).toBe(true);
    expect(client.sentOn(topicFor('updateStatus', lockerId))).toEqual([updateStatus]);
  });

  it('without updates: no update subscription, and an update command is rejected and counted', async () => {
    await connected();
    expect(client.subscriptions).not.toContain(topicFor('update', lockerId));
    client.deliver(topicFor('update', lockerId), updateCommand);
    expect(sync.counters.rejectedMessages).toBe(1);
  });
});

const updateCommand: UpdateCommand = {
  v: 1,
  rolloutId: 'r1',
  release: {
    manifest: { v: 1, role: 'locker', version: '0.2.0', sha256: 'a'.repeat(64), size: 1, signedAt: at },
    keyId: '0123456789abcdef',
    signature: `${'A'.repeat(86)}==`,
  },
};
const updateStatus: UpdateStatus = {
  v: 1,
  rolloutId: 'r1',
  version: '0.2.0',
  state: 'waiting',
  running: '0.1.0',
  at,
};
