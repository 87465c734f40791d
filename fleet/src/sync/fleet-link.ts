import {
  type Command,
  decodePayload,
  encodePayload,
  parseTopic,
  type ReservationChange,
  TopicError,
  topicFilterAll,
  topicFor,
} from '@locker/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { serviceUsername } from '../broker/topic-acl.ts';
import type { AuditHeadWatch } from '../services/audit-head-watch.ts';
import type { ChangePublisher, LiveUpdate } from '../services/change-publisher.ts';
import type { ReservationService } from '../services/reservation-service.ts';
import type { FleetStore } from '../store/fleet-store.ts';

const timeouts = { connectMs: 10_000, publishMs: 15_000 } as const;
/** Past this many missed changes a locker gets one snapshot instead of the replay. */
const snapshotAfter = 500;

export interface FleetLinkCounters {
  eventsApplied: number;
  eventsDuplicate: number;
  rejectedMessages: number;
  changesSent: number;
  catchUps: number;
}

/**
 * The fleet's MQTT side, as the service identity: applies locker events once, records presence,
 * telemetry and command results, answers a locker's sync state with what it missed, and sends
 * reservation changes and commands. A persistent session: what lockers publish while the fleet
 * restarts waits at the broker.
 */
export class FleetLink implements ChangePublisher {
  private client: MqttClient | undefined;
  readonly counters: FleetLinkCounters = {
    eventsApplied: 0,
    eventsDuplicate: 0,
    rejectedMessages: 0,
    changesSent: 0,
    catchUps: 0,
  };

  constructor(
    private readonly options: { url: () => string; password: string; clientId?: string },
    private readonly store: FleetStore,
    private readonly logger: Logger,
    private readonly onLive: (update: LiveUpdate) => void,
  ) {}

  /** Set after construction: the reservation service publishes through this link. */
  reservations: ReservationService | undefined;
  /** Set after construction: checks each locker's audit chain head from its telemetry. */
  auditHeads: AuditHeadWatch | undefined;

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const url = this.options.url();
    const client = mqtt.connect(url, {
      clientId: this.options.clientId ?? 'fleet-service',
      username: serviceUsername,
      password: this.options.password,
      clean: false,
      connectTimeout: timeouts.connectMs,
      reconnectPeriod: 1000,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.message(topic, payload));
    client.on('error', (error) =>
      this.logger.warn({ err: error }, 'fleet MQTT connection problem; reconnecting'),
    );
    // started once the broker acknowledged our subscriptions: only then are lockers let in
    const subscribed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `FLEET_BROKER_UNREACHABLE: no subscription at ${url} after ${timeouts.connectMs} ms; check the broker URL and the service password`,
            ),
          ),
        timeouts.connectMs,
      );
      client.on('connect', (connack) => {
        this.logger.info({ sessionPresent: connack.sessionPresent }, 'fleet connected to the broker');
        client
          .subscribeAsync(
            (['events', 'syncState', 'status', 'telemetry', 'commandResults'] as const).map(topicFilterAll),
            { qos: 1 },
          )
          .then(() => {
            clearTimeout(timer);
            this.catchUpAll();
            resolve();
          })
          .catch((error) => this.logger.error({ err: error }, 'subscribing to locker topics failed'));
      });
    });
    await subscribed;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.endAsync();
  }

  sendChange(lockerId: string, change: ReservationChange): void {
    const client = this.client;
    if (!client?.connected) return; // the locker catches up by version when it (or we) reconnect
    this.counters.changesSent++;
    client.publish(
      topicFor('reservations', lockerId),
      encodePayload('reservations', change),
      { qos: 1 },
      (error) => {
        if (error)
          this.logger.warn(
            { lockerId, version: change.version, err: error },
            'change not delivered; the locker catches up later',
          );
      },
    );
  }

  async sendCommand(lockerId: string, command: Command): Promise<void> {
    const client = this.client;
    if (!client?.connected)
      throw new Error('FLEET_BROKER_DOWN: the fleet is not connected to the broker; try again shortly');
    await client.publishAsync(topicFor('commands', lockerId), encodePayload('commands', command), { qos: 1 });
  }

  /** Synchronous on purpose: the PUBACK goes out only after the event is committed. */
  private message(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed) return;
    const { lockerId, name } = parsed;
    const locker = this.store.lockers.get(lockerId);
    if (!locker) {
      this.counters.rejectedMessages++;
      this.logger.warn({ topic }, 'message from a locker that is not provisioned; ignored');
      return;
    }
    const at = new Date().toISOString();
    try {
      if (name === 'events') {
        const event = decodePayload('events', payload);
        if (event.lockerId !== lockerId)
          throw new TopicError(
            'PAYLOAD_INVALID',
            `events: lockerId ${event.lockerId} on ${lockerId}'s topic`,
          );
        const verdict = this.reservations?.applyEvent(event);
        if (!verdict) throw new Error('the reservation service is not wired to the link');
        if (verdict === 'applied') this.counters.eventsApplied++;
        else this.counters.eventsDuplicate++;
        // committed: now (and for every redelivery) the locker may drop it from its outbox
        this.sendAck(lockerId, event.seq, event.id);
      } else if (name === 'syncState') {
        const state = decodePayload('syncState', payload);
        this.store.lockers.setAppliedVersion(lockerId, state.version);
        if (state.reason !== 'applied') this.catchUp(lockerId, state.version);
      } else if (name === 'status') {
        const presence = decodePayload('status', payload);
        this.store.lockers.setPresence(lockerId, {
          online: presence.state === 'online',
          ...(presence.state === 'online' ? { software: presence.software } : {}),
          bootId: presence.bootId,
          at,
        });
        this.onLive({ kind: 'locker', lockerId });
      } else if (name === 'telemetry') {
        const telemetry = decodePayload('telemetry', payload);
        this.store.lockers.setTelemetry(lockerId, telemetry, at);
        if (telemetry.audit) this.auditHeads?.observe(lockerId, telemetry.audit, at);
        this.onLive({ kind: 'locker', lockerId });
      } else if (name === 'commandResults') {
        const result = decodePayload('commandResults', payload);
        this.store.lockers.answerCommand(lockerId, result.requestId, result.ok, result.code ?? null, at);
        this.onLive({ kind: 'locker', lockerId });
      }
    } catch (error) {
      if (error instanceof TopicError) {
        this.counters.rejectedMessages++;
        this.logger.warn(
          { topic, code: error.code, problem: error.message },
          'rejected an invalid message from a locker; nothing applied',
        );
      } else this.logger.error({ topic, err: error }, 'handling a locker message failed');
    }
  }

  private sendAck(lockerId: string, seq: number, id: string): void {
    this.client?.publish(
      topicFor('eventsAck', lockerId),
      encodePayload('eventsAck', { v: 1, acks: [{ seq, id }] }),
      { qos: 1 },
      (error) => {
        if (error)
          this.logger.warn(
            { lockerId, seq, err: error },
            'event acknowledgement not delivered; the locker sends it again',
          );
      },
    );
  }

  /**
   * After each (re)connect of ours: a change committed while we were away from the broker was never
   * sent, and a locker that stayed connected to it (an external broker) has no reason to ask; so every
   * locker behind what we last heard it applied gets the rest now. One that applied more says so
   * (duplicates change nothing); one that is offline asks when it connects.
   */
  private catchUpAll(): void {
    try {
      for (const locker of this.store.lockers.list('all'))
        if (!locker.decommissionedAt && locker.appliedVersion < this.store.lockers.latestVersion(locker.id))
          this.catchUp(locker.id, locker.appliedVersion);
    } catch (error) {
      this.logger.error(
        { err: error },
        'catching lockers up after connecting failed; they catch up when they reconnect',
      );
    }
  }

  /** Sends what the locker missed after `version`; a fresh locker (version 0) gets the log from the start. */
  private catchUp(lockerId: string, version: number): void {
    const latest = this.store.lockers.latestVersion(lockerId);
    // ahead of our log (we were restored from a backup) or far behind it (a replaced locker PC): one snapshot
    if (this.reservations && (version > latest || latest - version > snapshotAfter)) {
      this.counters.catchUps++;
      const snapshot = this.reservations.snapshotFor(lockerId, version);
      this.logger.warn(
        { lockerId, lockerVersion: version, fleetVersion: latest, snapshot: snapshot.version },
        'locker out of step with the change log; sending a snapshot',
      );
      this.sendChange(lockerId, snapshot);
      return;
    }
    const missed = this.store.lockers.changesSince(lockerId, version);
    if (missed.length === 0) return;
    this.counters.catchUps++;
    this.logger.info({ lockerId, from: version, changes: missed.length }, 'locker catching up');
    for (const change of missed) this.sendChange(lockerId, change);
  }
}
