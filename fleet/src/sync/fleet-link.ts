import {
  type Command,
  encodePayload,
  type LockerEvent,
  type MqttClientPort,
  type ReservationChange,
  type RoutedMessage,
  TopicRouter,
  topicFilterAll,
  topicFor,
  type UpdateCommand,
  type UpdateStatus,
} from '@locker/protocol';
import mqtt, { type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import { serviceUsername } from '../broker/topic-acl.ts';
import type { ReportedAuditHead } from '../services/audit-head-check.ts';
import type { ChangePublisher, LiveUpdate } from '../services/change-publisher.ts';
import { FleetError } from '../services/fleet-errors.ts';
import type { FleetStore } from '../store/fleet-store.ts';

const timeouts = {
  connectMs: 10_000,
  /** A command the broker has not acknowledged by then is taken back out of the client's queue. */
  commandAckMs: 5_000,
} as const;
/** Past this many missed changes a locker gets one snapshot instead of the replay. */
const snapshotAfter = 500;
/** What the fleet receives from lockers. */
const inbound = ['events', 'syncState', 'status', 'telemetry', 'commandResults', 'updateStatus'] as const;
type Inbound = (typeof inbound)[number];

export interface FleetLinkCounters {
  eventsApplied: number;
  eventsDuplicate: number;
  readonly rejectedMessages: number;
  changesSent: number;
  catchUps: number;
}

export interface FleetLinkOptions {
  url: () => string;
  password: string;
  clientId?: string;
  /** Builds the MQTT client; `mqtt.connect` unless a test brings a fake. */
  connect?: MqttConnect;
}

type MqttConnect = (url: string, options: IClientOptions) => MqttClientPort;

/** What the link hands locker events and catch-ups to: the reservation service. */
export interface LockerEventSink {
  /** Applies one event, once; returns after it is committed. */
  applyEvent(event: LockerEvent): 'applied' | 'duplicate';
  /** Everything a locker should hold, as one change above `aboveVersion`. */
  snapshotFor(lockerId: string, aboveVersion: number): ReservationChange;
}

/** What the link tells rollouts. */
export interface UpdateObserver {
  observe(lockerId: string, status: UpdateStatus): void;
  online(lockerId: string): void;
}

export interface FleetLinkDeps {
  store: FleetStore;
  reservations: LockerEventSink;
  /** Checks each locker's audit chain head from its telemetry. */
  auditHeads: { observe(lockerId: string, head: ReportedAuditHead, at: string): unknown };
  /** Rollouts: hear each locker's update status and when it comes online (an unanswered command goes again). */
  updates: UpdateObserver;
  onLive: (update: LiveUpdate) => void;
  logger: Logger;
}

/**
 * The fleet's MQTT side, as the service identity: applies locker events once, records presence,
 * telemetry and command results, answers a locker's sync state with what it missed, and sends
 * reservation changes and commands. A persistent session: what lockers publish while the fleet
 * restarts waits at the broker. Every inbound message goes through one {@link TopicRouter}.
 */
export class FleetLink implements ChangePublisher {
  private client: MqttClientPort | undefined;
  private readonly router: TopicRouter<Inbound>;
  readonly counters: FleetLinkCounters;

  constructor(
    private readonly options: FleetLinkOptions,
    private readonly deps: FleetLinkDeps,
  ) {
    const { store, logger } = deps;
    this.router = new TopicRouter(
      { from: 'device', lockerAllowed: (lockerId) => store.lockers.get(lockerId) !== undefined, logger },
      {
        events: (m) => this.event(m),
        syncState: (m) => this.syncState(m),
        status: (m) => this.status(m),
        telemetry: (m) => this.telemetry(m),
        commandResults: (m) => this.commandResult(m),
        updateStatus: (m) => this.updateStatus(m),
      },
    );
    const router = this.router;
    this.counters = {
      eventsApplied: 0,
      eventsDuplicate: 0,
      get rejectedMessages() {
        return router.counters.rejected;
      },
      changesSent: 0,
      catchUps: 0,
    };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  async start(): Promise<void> {
    const url = this.options.url();
    const connect: MqttConnect = this.options.connect ?? mqtt.connect;
    const client = connect(url, {
      clientId: this.options.clientId ?? 'fleet-service',
      username: serviceUsername,
      password: this.options.password,
      clean: false,
      connectTimeout: timeouts.connectMs,
      reconnectPeriod: 1000,
    });
    this.client = client;
    const { logger } = this.deps;
    // synchronous on purpose: the PUBACK goes out only after the event is committed
    client.on('message', (topic, payload) => void this.router.dispatch(topic, payload));
    client.on('error', (error) => logger.warn({ err: error }, 'fleet MQTT connection problem; reconnecting'));
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
        logger.info({ sessionPresent: connack.sessionPresent }, 'fleet connected to the broker');
        client
          .subscribeAsync(inbound.map(topicFilterAll), { qos: 1 })
          .then(() => {
            clearTimeout(timer);
            this.catchUpAll();
            resolve();
          })
          .catch((error) => logger.error({ err: error }, 'subscribing to locker topics failed'));
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
          this.deps.logger.warn(
            { lockerId, version: change.version, err: error },
            'change not delivered; the locker catches up later',
          );
      },
    );
  }

  /**
   * Publishes a command (QoS 1) and calls `onAccepted` synchronously when the broker acknowledges
   * it, before any later message (the locker's result) is handled. Not connected, or no
   * acknowledgement within `commandAckMs`: `BROKER_UNAVAILABLE`, the command is taken out of the
   * client's queue (never sent late) and `onAccepted` is not called.
   */
  sendCommand(lockerId: string, command: Command, onAccepted: () => void): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.reject(new FleetError('BROKER_UNAVAILABLE'));
    return new Promise<void>((resolve, reject) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        client.removeOutgoingMessage(messageId);
        reject(new FleetError('BROKER_UNAVAILABLE'));
      }, timeouts.commandAckMs);
      const topic = topicFor('commands', lockerId);
      client.publish(topic, encodePayload('commands', command), { qos: 1 }, (error) => {
        clearTimeout(timer);
        if (timedOut) return;
        if (error) {
          this.deps.logger.warn({ lockerId, requestId: command.requestId, err: error }, 'command not sent');
          reject(new FleetError('BROKER_UNAVAILABLE'));
          return;
        }
        try {
          onAccepted();
          resolve();
        } catch (failure) {
          reject(failure);
        }
      });
      const messageId = client.getLastMessageId();
    });
  }

  /** An update command (QoS 1); false when not connected: rollouts send it again when the locker comes online. */
  sendUpdate(lockerId: string, command: UpdateCommand): boolean {
    const client = this.client;
    if (!client?.connected) return false;
    client.publish(topicFor('update', lockerId), encodePayload('update', command), { qos: 1 }, (error) => {
      if (error)
        this.deps.logger.warn(
          { lockerId, err: error },
          'update command not delivered; sent again when it reconnects',
        );
    });
    return true;
  }

  private event({ lockerId, payload: event }: RoutedMessage<'events'>): void {
    const verdict = this.deps.reservations.applyEvent(event);
    if (verdict === 'applied') this.counters.eventsApplied++;
    else this.counters.eventsDuplicate++;
    // committed: now (and for every redelivery) the locker may drop it from its outbox
    this.sendAck(lockerId, event.seq, event.id);
  }

  private syncState({ lockerId, payload: state }: RoutedMessage<'syncState'>): void {
    this.deps.store.lockers.setAppliedVersion(lockerId, state.version);
    if (state.reason !== 'applied') this.catchUp(lockerId, state.version);
  }

  private status({ lockerId, payload: presence }: RoutedMessage<'status'>): void {
    this.deps.store.lockers.setPresence(lockerId, {
      online: presence.state === 'online',
      ...(presence.state === 'online' ? { software: presence.software } : {}),
      bootId: presence.bootId,
      at: new Date().toISOString(),
    });
    this.deps.onLive({ kind: 'locker', lockerId });
    if (presence.state === 'online') this.deps.updates.online(lockerId);
  }

  private telemetry({ lockerId, payload: telemetry }: RoutedMessage<'telemetry'>): void {
    const at = new Date().toISOString();
    this.deps.store.lockers.setTelemetry(lockerId, telemetry, at);
    if (telemetry.audit) this.deps.auditHeads.observe(lockerId, telemetry.audit, at);
    this.deps.onLive({ kind: 'locker', lockerId });
  }

  private commandResult({ lockerId, payload: result }: RoutedMessage<'commandResults'>): void {
    const at = new Date().toISOString();
    this.deps.store.lockers.answerCommand(lockerId, result.requestId, result.ok, result.code ?? null, at);
    this.deps.onLive({ kind: 'locker', lockerId });
  }

  private updateStatus({ lockerId, payload: status }: RoutedMessage<'updateStatus'>): void {
    this.deps.updates.observe(lockerId, status);
  }

  private sendAck(lockerId: string, seq: number, id: string): void {
    this.client?.publish(
      topicFor('eventsAck', lockerId),
      encodePayload('eventsAck', { v: 1, acks: [{ seq, id }] }),
      { qos: 1 },
      (error) => {
        if (error)
          this.deps.logger.warn(
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
      for (const locker of this.deps.store.lockers.list('all'))
        if (
          !locker.decommissionedAt &&
          locker.appliedVersion < this.deps.store.lockers.latestVersion(locker.id)
        )
          this.catchUp(locker.id, locker.appliedVersion);
    } catch (error) {
      this.deps.logger.error(
        { err: error },
        'catching lockers up after connecting failed; they catch up when they reconnect',
      );
    }
  }

  /** Sends what the locker missed after `version`; a fresh locker (version 0) gets the log from the start. */
  private catchUp(lockerId: string, version: number): void {
    const { store, reservations, logger } = this.deps;
    const latest = store.lockers.latestVersion(lockerId);
    // ahead of our log (we were restored from a backup) or far behind it (a replaced locker PC): one snapshot
    if (version > latest || latest - version > snapshotAfter) {
      this.counters.catchUps++;
      const snapshot = reservations.snapshotFor(lockerId, version);
      logger.warn(
        { lockerId, lockerVersion: version, fleetVersion: latest, snapshot: snapshot.version },
        'locker out of step with the change log; sending a snapshot',
      );
      this.sendChange(lockerId, snapshot);
      return;
    }
    const missed = store.lockers.changesSince(lockerId, version);
    if (missed.length === 0) return;
    this.counters.catchUps++;
    logger.info({ lockerId, from: version, changes: missed.length }, 'locker catching up');
    for (const change of missed) this.sendChange(lockerId, change);
  }
}
