import {
  encodePayload,
  type LockerEvent,
  MqttReconnector,
  type ReconnectBackoff,
  type ReconnectSchedule,
  type ReservationChange,
  type RouterLogger,
  TopicRouter,
  topicFor,
} from '@locker/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';

/** One silent logger for every locker of a fleet run that is not given its own. */
const silentLogger = pino({ level: 'silent' });

/**
 * A locker as the fleet sees it over MQTT, without a cabinet: logs in with its own credentials,
 * reports presence, applies reservation changes by version and acknowledges them, and asks for
 * what it missed on connect. Thousands fit in one process, for fleet-scale tests and benchmarks.
 */
export class MqttLocker {
  private client: MqttClient | undefined;
  private reconnector: MqttReconnector | undefined;
  private readonly router: TopicRouter<'reservations'>;
  version = 0;
  /** Every reconnect this locker scheduled, in order (delay drawn with its jitter source). */
  readonly reconnects: ReconnectSchedule[] = [];
  /** Connections made, the first included. */
  connects = 0;
  /** When each reservation id was first seen by this locker (ms, performance.now()). */
  readonly seen = new Map<string, number>();

  constructor(
    readonly lockerId: string,
    private readonly options: {
      url: string;
      password: string;
      /** Reconnect backoff (capped exponential, full jitter); a seeded `random` makes a fleet run replayable. */
      reconnect?: { backoff?: Partial<ReconnectBackoff>; random?: () => number };
      /** Where refused messages are logged (silent by default: thousands run in one process). */
      logger?: RouterLogger;
    },
  ) {
    this.router = new TopicRouter(
      { from: 'fleet', lockerAllowed: (id) => id === lockerId, logger: options.logger ?? silentLogger },
      { reservations: ({ payload }) => this.apply(payload) },
    );
  }

  /** Messages refused by the topic router (not ours, not for a locker, or not parsing): counted, nothing applied. */
  get rejectedMessages(): number {
    return this.router.counters.rejected;
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const { lockerId } = this;
    const client = mqtt.connect(this.options.url, {
      clientId: `locker-${lockerId}`,
      username: lockerId,
      password: this.options.password,
      clean: true,
      // reconnects with backoff and jitter (MqttReconnector), never all lockers in the same millisecond
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      will: {
        topic: topicFor('status', lockerId),
        payload: Buffer.from(encodePayload('status', { v: 1, state: 'offline', bootId: `sim-${lockerId}` })),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    this.reconnector = new MqttReconnector(client, {
      ...this.options.reconnect,
      onSchedule: (schedule) => this.reconnects.push(schedule),
    });
    this.reconnector.start();
    client.on('connect', () => this.connects++);
    client.on('message', (topic, payload) => this.router.dispatch(topic, payload));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(topicFor('reservations', lockerId), { qos: 1 });
    await client.publishAsync(
      topicFor('status', lockerId),
      encodePayload('status', {
        v: 1,
        state: 'online',
        software: 'sim',
        bootId: `sim-${lockerId}`,
        at: new Date().toISOString(),
      }),
      { qos: 1, retain: true },
    );
    this.ack('connect');
  }

  /** Publishes an event as this locker would (QoS 1); resolves on the broker's PUBACK. */
  async report(
    event: Omit<LockerEvent, 'v' | 'lockerId' | 'data'> & { data?: LockerEvent['data'] },
  ): Promise<void> {
    const payload = encodePayload('events', { v: 1, lockerId: this.lockerId, data: {}, ...event });
    await this.client?.publishAsync(topicFor('events', this.lockerId), payload, { qos: 1 });
  }

  async stop(): Promise<void> {
    this.reconnector?.stop();
    await this.client?.endAsync(true);
  }

  private apply(change: ReservationChange): void {
    if (change.version <= this.version) return;
    if (change.kind !== 'snapshot' && change.version !== this.version + 1) {
      this.ack('gap');
      return;
    }
    const at = performance.now();
    const arrived =
      change.kind === 'upsert' ? [change.reservation] : change.kind === 'snapshot' ? change.reservations : [];
    for (const r of arrived) if (!this.seen.has(r.id)) this.seen.set(r.id, at);
    this.version = change.version;
    this.ack('applied');
  }

  private ack(reason: 'applied' | 'connect' | 'gap'): void {
    this.client?.publish(
      topicFor('syncState', this.lockerId),
      encodePayload('syncState', { v: 1, version: this.version, bootId: `sim-${this.lockerId}`, reason }),
      { qos: 1 },
    );
  }
}
