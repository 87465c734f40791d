import {
  codeHash,
  decodePayload,
  encodePayload,
  formatQr,
  type LockerEvent,
  type Presence,
  parseTopic,
  type Reservation,
  type ReservationChange,
  randomPin,
  randomQrToken,
  type StaffCredential,
  type Telemetry,
  topicFilterAll,
  topicFor,
} from '@locker/protocol';
import mqtt, { type MqttClient } from 'mqtt';

type ChangeBody =
  | { kind: 'upsert'; reservation: Reservation }
  | { kind: 'remove'; reservationId: string }
  | { kind: 'staff'; staff: StaffCredential[] };

export interface IssuedCodes {
  pin: string;
  qr: string;
  returnPin?: string;
}

/**
 * A scripted fleet for tests: publishes reservation changes with versions, answers a device's
 * catch-up request, sends commands, and records every event it receives (duplicates counted).
 */
export class FleetPeer {
  private client: MqttClient | undefined;
  private readonly changes: ReservationChange[] = [];
  readonly events: LockerEvent[] = [];
  readonly eventIds = new Set<string>();
  duplicates = 0;
  deviceVersion = 0;
  readonly results = new Map<string, { ok: boolean; code?: string }>();
  /** Every command result received, in order, repeats included. */
  readonly answers: { requestId: string; ok: boolean; code?: string }[] = [];
  readonly rejected: string[] = [];
  presence: Presence | undefined;
  telemetry: Telemetry | undefined;
  /** Record the next change but do not send it: the device sees a gap in versions. */
  dropNext = false;
  /** Receive events but do not acknowledge them, as a fleet that died after its broker took them. */
  withholdAcks = false;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly url: string,
    private readonly lockerId: string,
    private readonly codeKey: string,
  ) {}

  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.url, {
      clientId: `fleet-peer-${process.pid}-${Date.now()}`,
      reconnectPeriod: 200,
    });
    this.client = client;
    client.on('message', (topic, payload) => this.message(topic, payload));
    client.on('connect', () => void client.subscribeAsync(this.filters(), { qos: 1 }));
    await client.subscribeAsync(this.filters(), { qos: 1 });
  }

  async stop(): Promise<void> {
    await this.client?.endAsync(true);
  }

  private filters(): string[] {
    return [
      topicFilterAll('events'),
      topicFilterAll('syncState'),
      topicFilterAll('commandResults'),
      topicFilterAll('status'),
      topicFilterAll('telemetry'),
    ];
  }

  private message(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic);
    if (!parsed) return;
    try {
      if (parsed.name === 'events') {
        const event = decodePayload('events', payload);
        if (!this.withholdAcks)
          void this.client?.publishAsync(
            topicFor('eventsAck', this.lockerId),
            encodePayload('eventsAck', { v: 1, acks: [{ seq: event.seq, id: event.id }] }),
            { qos: 1 },
          );
        if (this.eventIds.has(event.id)) this.duplicates++;
        else {
          this.eventIds.add(event.id);
          this.events.push(event);
        }
      } else if (parsed.name === 'syncState') {
        const state = decodePayload('syncState', payload);
        this.deviceVersion = state.version;
        if (state.reason !== 'applied')
          for (const change of this.changes.filter((c) => c.version > state.version)) void this.send(change);
      } else if (parsed.name === 'status') {
        this.presence = decodePayload('status', payload);
      } else if (parsed.name === 'telemetry') {
        this.telemetry = decodePayload('telemetry', payload);
      } else if (parsed.name === 'commandResults') {
        const result = decodePayload('commandResults', payload);
        const answer = { ok: result.ok, ...(result.code ? { code: result.code } : {}) };
        this.results.set(result.requestId, answer);
        this.answers.push({ requestId: result.requestId, ...answer });
      }
    } catch (error) {
      this.rejected.push((error as Error).message);
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async send(change: ReservationChange): Promise<void> {
    await this.client?.publishAsync(
      topicFor('reservations', this.lockerId),
      encodePayload('reservations', change),
      { qos: 1 },
    );
  }

  /** The newest version published. */
  get latestVersion(): number {
    return this.changes.length;
  }

  async publish(body: ChangeBody): Promise<number> {
    const change = { v: 1, version: this.changes.length + 1, ...body } as ReservationChange;
    this.changes.push(change);
    if (this.dropNext) this.dropNext = false;
    else await this.send(change);
    return change.version;
  }

  /** Sends raw bytes to the locker's reservation topic, as a broken or hostile peer would. */
  async publishRaw(name: 'reservations' | 'commands', payload: string): Promise<void> {
    await this.client?.publishAsync(topicFor(name, this.lockerId), payload, { qos: 1 });
  }

  hash(kind: 'pin' | 'qr' | 'staff', code: string): string {
    return codeHash(this.codeKey, this.lockerId, kind, code);
  }

  /** A new reservation with fresh codes, ready to load. */
  async reserve(id: string, patch: Partial<Reservation> = {}): Promise<IssuedCodes & { version: number }> {
    const pin = randomPin();
    const token = randomQrToken();
    const loan = patch.kind === 'loan';
    const returnPin = loan ? randomPin() : undefined;
    const reservation: Reservation = {
      id,
      label: `REF-${id}`,
      itemType: loan ? 'hall_key' : 'driving_licence',
      kind: 'document',
      size: 'S',
      state: 'ready_to_load',
      pinHash: this.hash('pin', pin),
      qrHash: this.hash('qr', token),
      twoFactor: false,
      expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
      ...(returnPin ? { returnPinHash: this.hash('pin', returnPin) } : {}),
      ...patch,
    };
    const version = await this.publish({ kind: 'upsert', reservation });
    return {
      pin,
      qr: formatQr({ lockerId: this.lockerId, token }),
      ...(returnPin ? { returnPin } : {}),
      version,
    };
  }

  async command(body: Record<string, unknown>): Promise<string> {
    const requestId = `req-${Math.random().toString(36).slice(2)}`;
    await this.client?.publishAsync(
      topicFor('commands', this.lockerId),
      JSON.stringify({ v: 1, requestId, ...body }),
      { qos: 1 },
    );
    return requestId;
  }

  eventsOf(type: LockerEvent['type']): LockerEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  /** Resolves when `check` holds, re-checked on every message; rejects after `ms`. */
  async until(check: () => boolean, ms = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`fleet peer: timed out after ${ms} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}
