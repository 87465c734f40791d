import { randomUUID } from 'node:crypto';
import {
  type Command,
  type CommandResult,
  encodePayload,
  type MqttClientPort,
  MqttReconnector,
  type ReconnectBackoff,
  type ReservationChange,
  type RoutedMessage,
  type Telemetry,
  TopicError,
  type TopicName,
  TopicRouter,
  topicFor,
  topicMap,
  type UpdateCommand,
  type UpdateStatus,
} from '@locker/protocol';
import mqtt, { type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { ChangeVerdict } from '../runtime/locker-core.ts';
import type { Outbox } from '../store/outbox.ts';

export interface FleetSyncOptions {
  url: string;
  lockerId: string;
  username?: string;
  password?: string;
  software: string;
  telemetryMs: number;
  telemetry: () => Pick<Telemetry, 'outboxDepth' | 'bus' | 'compartments' | 'storage' | 'audit'>;
  /** Reconnect backoff (capped exponential, full jitter); defaults in `reconnectBackoffDefaults`. */
  reconnect?: { backoff?: Partial<ReconnectBackoff>; random?: () => number };
  /** Builds the MQTT client; `mqtt.connect` unless a test brings a fake. */
  connect?: (url: string, options: IClientOptions) => MqttClientPort;
  /** Software updates: update commands go to `onCommand`; `onConnected` re-sends an unheard outcome. */
  updates?: { onCommand: (command: UpdateCommand) => void; onConnected: () => void };
}

/** What sync needs of the locker: its copy of the reservations (by version) and remote commands. */
export interface SyncedLocker {
  syncVersion(): number;
  applyChange(change: ReservationChange): ChangeVerdict;
  command(command: Command): Promise<{ result: CommandResult; answer: boolean }>;
}

/** What the locker receives from the fleet. */
type Inbound = 'eventsAck' | 'reservations' | 'commands' | 'update';

export interface SyncCounters {
  published: number;
  acknowledged: number;
  readonly rejectedMessages: number;
  changesApplied: number;
  commands: number;
}

const timeouts = { connectMs: 10_000, publishMs: 15_000, ackMs: 30_000 } as const;

/**
 * The device's MQTT side: retained presence with a last will, the outbox drained in order and
 * removed only when the fleet acknowledges it applied each event, reservation changes applied by version and
 * acknowledged, commands answered by request id, telemetry at QoS 0. Bad messages are counted
 * and logged, never applied.
 */
export class FleetSync {
  private client: MqttClientPort | undefined;
  private reconnector: MqttReconnector | undefined;
  private draining = false;
  private drainAgain = false;
  private telemetryTimer: NodeJS.Timeout | undefined;
  private readonly bootId = randomUUID();
  /** Monotonic (`performance.now()`): uptime and the resend silence ignore a stepped wall clock. */
  private readonly startedAt = performance.now();
  private readonly router: TopicRouter<Inbound>;
  readonly counters: SyncCounters;
  /** Highest sequence number sent on this connection; reset to resend what was never acknowledged. */
  private sentUpTo = 0;
  private lastAckAt = performance.now();
  private resendTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: FleetSyncOptions,
    private readonly core: SyncedLocker,
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {
    this.router = new TopicRouter(
      { from: 'fleet', lockerAllowed: (lockerId) => lockerId === options.lockerId, logger },
      {
        eventsAck: (m) => this.acknowledged(m),
        reservations: (m) => this.change(m),
        commands: (m) => this.command(m),
        update: (m) => this.update(m),
      },
    );
    const router = this.router;
    this.counters = {
      published: 0,
      acknowledged: 0,
      get rejectedMessages() {
        return router.counters.rejected;
      },
      changesApplied: 0,
      commands: 0,
    };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const { lockerId } = this.options;
    const connect: (url: string, options: IClientOptions) => MqttClientPort =
      this.options.connect ?? mqtt.connect;
    const client = connect(this.options.url, {
      clientId: `locker-${lockerId}`,
      // a clean session: what was missed comes by version catch-up; a stale remote-open command is never run late
      clean: true,
      ...(this.options.username ? { username: this.options.username } : {}),
      ...(this.options.password ? { password: this.options.password } : {}),
      connectTimeout: timeouts.connectMs,
      // reconnects are ours, with backoff and jitter: a fixed period brings a whole fleet back in lock-step
      reconnectPeriod: 0,
      // the outbox is our durable queue: never let the client buffer events while offline
      queueQoSZero: false,
      will: {
        topic: topicFor('status', lockerId),
        payload: Buffer.from(encodePayload('status', { v: 1, state: 'offline', bootId: this.bootId })),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    this.reconnector = new MqttReconnector(client, {
      ...this.options.reconnect,
      onSchedule: ({ attempt, delayMs }) =>
        this.logger.warn(
          { attempt, delayMs },
          'fleet unreachable; working offline, events wait in the outbox; reconnecting',
        ),
    });
    this.reconnector.start();
    client.on(
      'connect',
      () =>
        void this.connected_().catch((error) =>
          this.logger.error({ err: error }, 'sync after connect failed; retrying at next reconnect'),
        ),
    );
    client.on('message', (topic, payload) => void this.router.dispatch(topic, payload));
    client.on('error', (error) => this.logger.warn({ err: error }, 'MQTT connection problem; reconnecting'));
    client.on('close', () => this.logger.info({ bootId: this.bootId }, 'fleet connection closed'));
    client.on('disconnect', (packet) =>
      this.logger.warn({ reasonCode: packet.reasonCode }, 'the broker ended the connection'),
    );
    this.telemetryTimer = setInterval(() => this.publishTelemetry(), this.options.telemetryMs);
    this.telemetryTimer.unref();
    // sent but never acknowledged (the fleet restarted behind a broker that kept no session): send again
    this.resendTimer = setInterval(() => {
      if (this.draining || this.sentUpTo === 0 || performance.now() - this.lastAckAt < timeouts.ackMs) return;
      if (this.outbox.peekAfter(0, 1).length === 0) return;
      this.logger.warn(
        { outbox: this.outbox.depth() },
        'no acknowledgement from the fleet; sending unacknowledged events again',
      );
      this.sentUpTo = 0;
      this.lastAckAt = performance.now();
      void this.drain();
    }, timeouts.ackMs / 3);
    this.resendTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.telemetryTimer);
    clearInterval(this.resendTimer);
    this.reconnector?.stop();
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected)
      await client
        .publishAsync(
          topicFor('status', this.options.lockerId),
          encodePayload('status', { v: 1, state: 'offline', bootId: this.bootId }),
          {
            qos: 1,
            retain: true,
          },
        )
        .catch(() => undefined);
    await withTimeout(client.endAsync(false), timeouts.publishMs).catch(() => client.endAsync(true));
  }

  /**
   * Sends the outbox in sequence order, each entry after the previous one's PUBACK. Entries stay
   * until the fleet acknowledges it applied them (`events/ack`); after a reconnect, or when no
   * acknowledgement came for a while, whatever is still there is sent again (the fleet applies
   * each event id once).
   */
  async drain(): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        for (;;) {
          const client = this.client;
          if (!client?.connected) return;
          const batch = this.outbox.peekAfter(this.sentUpTo, 50);
          if (batch.length === 0) break;
          for (const entry of batch) {
            await untilSent(
              client,
              client.publishAsync(topicFor('events', this.options.lockerId), entry.payload, { qos: 1 }),
            );
            this.sentUpTo = Math.max(this.sentUpTo, entry.seq);
            this.counters.published++;
          }
        }
      } while (this.drainAgain);
    } catch (error) {
      this.logger.warn({ err: error }, 'outbox drain interrupted; the rest goes after reconnect');
    } finally {
      this.draining = false;
    }
    // a reconnect that asked for a drain while this one was stuck on the lost connection: serve it now
    if (this.drainAgain && this.client?.connected) await this.drain();
  }

  private async connected_(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const { lockerId } = this.options;
    await client.subscribeAsync(
      [
        topicFor('reservations', lockerId),
        topicFor('commands', lockerId),
        topicFor('eventsAck', lockerId),
        ...(this.options.updates ? [topicFor('update', lockerId)] : []),
      ],
      { qos: 1 },
    );
    await client.publishAsync(
      topicFor('status', lockerId),
      encodePayload('status', {
        v: 1,
        state: 'online',
        software: this.options.software,
        bootId: this.bootId,
        at: new Date().toISOString(),
      }),
      { qos: 1, retain: true },
    );
    await this.publish(
      'syncState',
      encodePayload('syncState', {
        v: 1,
        version: this.core.syncVersion(),
        bootId: this.bootId,
        reason: 'connect',
      }),
    );
    this.logger.info(
      { bootId: this.bootId, version: this.core.syncVersion(), outbox: this.outbox.depth() },
      'connected to the fleet',
    );
    this.publishTelemetry();
    this.options.updates?.onConnected();
    // what was sent on an earlier connection but never acknowledged goes again
    this.sentUpTo = 0;
    await this.drain();
  }

  private acknowledged({ payload }: RoutedMessage<'eventsAck'>): void {
    for (const ack of payload.acks)
      if (this.outbox.acknowledge(ack.seq, ack.id)) this.counters.acknowledged++;
    this.lastAckAt = performance.now();
  }

  /** Applies a change by version and reports the version held (a gap asks the fleet for what is missing). */
  private async change({ payload: change }: RoutedMessage<'reservations'>): Promise<void> {
    const verdict = this.core.applyChange(change);
    if (verdict === 'applied') this.counters.changesApplied++;
    await this.publish(
      'syncState',
      encodePayload('syncState', {
        v: 1,
        version: this.core.syncVersion(),
        bootId: this.bootId,
        reason: verdict === 'gap' ? 'gap' : 'applied',
      }),
    );
  }

  private async command({ payload: command }: RoutedMessage<'commands'>): Promise<void> {
    this.counters.commands++;
    const { result, answer } = await this.core.command(command);
    if (answer) await this.publish('commandResults', encodePayload('commandResults', result));
  }

  /** An update command goes to the updater; a locker without an updates section refuses it. */
  private update({ payload: command }: RoutedMessage<'update'>): void {
    if (!this.options.updates)
      throw new TopicError('TOPIC_NOT_OURS', 'update command on a locker without an updates section');
    this.options.updates.onCommand(command);
  }

  private async publish(name: TopicName, payload: string): Promise<void> {
    const client = this.client;
    if (!client?.connected) return;
    const spec = topicMap[name];
    await untilSent(
      client,
      client.publishAsync(topicFor(name, this.options.lockerId), payload, {
        qos: spec.qos,
        retain: spec.retain,
      }),
    );
  }

  /** An update status for the fleet; false when it could not be sent now (offline, no acknowledgement). */
  async publishUpdateStatus(status: UpdateStatus): Promise<boolean> {
    if (!this.client?.connected) return false;
    try {
      await this.publish('updateStatus', encodePayload('updateStatus', status));
      return true;
    } catch (error) {
      this.logger.warn(
        { err: error, state: status.state },
        'update status not sent; sent again at reconnect',
      );
      return false;
    }
  }

  /** Also called at once when something the fleet must hear now changes (a disk that refuses writes). */
  publishTelemetry(): void {
    if (!this.client?.connected) return;
    const memory = process.memoryUsage();
    const extra = this.options.telemetry();
    const payload = encodePayload('telemetry', {
      v: 1,
      at: new Date().toISOString(),
      uptimeS: Math.round((performance.now() - this.startedAt) / 1000),
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      temperatureC: null,
      outboxDepth: extra.outboxDepth,
      bus: { ...extra.bus, rejectedMessages: this.counters.rejectedMessages },
      ...(extra.compartments ? { compartments: extra.compartments } : {}),
      ...(extra.storage ? { storage: extra.storage } : {}),
      ...(extra.audit ? { audit: extra.audit } : {}),
    });
    this.client.publish(topicFor('telemetry', this.options.lockerId), payload, { qos: 0 });
  }
}

/**
 * A QoS 1 publish in flight when the connection drops is never answered (MQTT.js keeps its
 * callback; a reconnect starts with empty stores): stop waiting at the close, not after the timeout,
 * so that the next connection's drain is not stuck behind it.
 */
function untilSent<T>(client: MqttClientPort, sending: Promise<T>): Promise<T> {
  let onClose = () => {};
  const lost = new Promise<never>((_, reject) => {
    onClose = () =>
      reject(new Error('SYNC_CONNECTION_LOST: the connection closed before the broker acknowledged'));
    client.once('close', onClose);
  });
  return withTimeout(Promise.race([sending, lost]), timeouts.publishMs).finally(() =>
    client.off('close', onClose),
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`SYNC_TIMEOUT: no acknowledgement after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
