import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type Actor, type EventType, encodePayload, type LockerEvent } from '@locker/protocol';
import type { DeviceStore } from '../store/device-store.ts';

export interface EventFields {
  compartment?: number;
  reservationId?: string | null;
  actor?: Actor;
  data?: LockerEvent['data'];
}

/**
 * Writes events into the durable outbox. Call it inside the transaction that makes the state
 * change, so the change and its event are committed together or not at all.
 */
export class EventRecorder extends EventEmitter<{ recorded: [] }> {
  constructor(
    private readonly store: DeviceStore,
    private readonly lockerId: string,
    private readonly now: () => number,
  ) {
    super();
  }

  record(type: EventType, fields: EventFields = {}): void {
    const id = randomUUID();
    this.store.outbox.append(id, (seq) =>
      encodePayload('events', {
        v: 1,
        id,
        seq,
        lockerId: this.lockerId,
        type,
        at: new Date(this.now()).toISOString(),
        ...(fields.compartment === undefined ? {} : { compartment: fields.compartment }),
        ...(fields.reservationId ? { reservationId: fields.reservationId } : {}),
        ...(fields.actor ? { actor: fields.actor } : {}),
        data: fields.data ?? {},
      }),
    );
    // after the caller's transaction commits, the sync drains the outbox
    queueMicrotask(() => this.emit('recorded'));
  }
}
