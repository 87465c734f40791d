import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CompartmentConfig } from '../config/device-config.ts';
import { type CloseOutcome, closeOutcome, type DoorOpenTiming, doorLeftOpen } from '../flows/door-outcome.ts';
import type { LockBus } from '../lockbus/lock-bus.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { UnlockPurpose } from '../store/store-types.ts';
import type { Clock } from './clock.ts';
import type { DoorRecords } from './door-records.ts';
import { previousStatus, type Session } from './door-session.ts';
import type { EventRecorder } from './event-recorder.ts';

export interface DoorSessionEvents {
  closed: [
    { compartment: number; purpose: UnlockPurpose; outcome: CloseOutcome; reservationId: string | null },
  ];
  reminder: [{ compartment: number }];
}

/**
 * The doors that are open (or being opened), each from its unlock to its close being written: the
 * close reads the item sensor and records the outcome, and the session goes only once that is
 * written; `tick()` reminds and alarms about doors left open and retries closes the disk refused.
 */
export class DoorSessions {
  private readonly sessions = new Map<number, Session>();

  constructor(
    private readonly deps: {
      store: DeviceStore;
      bus: LockBus;
      recorder: EventRecorder;
      records: DoorRecords;
      /** Compartments by number: the item sensor is read at a close where there is one. */
      compartments: ReadonlyMap<number, CompartmentConfig>;
      timing: DoorOpenTiming;
      logger: Logger;
      /** Door-left-open times run on the monotonic clock; due dates on the wall clock. */
      clock: Clock;
      /** Where closes and reminders are announced (the door keeper). */
      events: EventEmitter<DoorSessionEvents>;
    },
  ) {}

  get(number: number): Session | undefined {
    return this.sessions.get(number);
  }

  has(number: number): boolean {
    return this.sessions.has(number);
  }

  get size(): number {
    return this.sessions.size;
  }

  set(number: number, session: Session): void {
    this.sessions.set(number, session);
  }

  /** An opening that never happened (its unlock failed): nothing to close. */
  drop(number: number): void {
    this.sessions.delete(number);
  }

  /** The door is closed: read the item sensor, then record the close; the session goes only once that is written. */
  async finish(number: number, session: Session): Promise<void> {
    session.closing = true;
    session.closed = { itemPresent: await this.readItem(number) };
    this.saveClose(number, session);
  }

  /** The item sensor of a compartment that has one; null where it has none or it cannot be read. */
  async readItem(number: number): Promise<boolean | null> {
    const config = this.deps.compartments.get(number);
    if (!config?.itemSensor) return null;
    try {
      const state = await this.deps.bus.readLock({ board: config.board, lock: config.lock });
      return state.itemPresent ?? null;
    } catch (error) {
      this.deps.logger.warn(
        { compartment: number, err: error },
        'item sensor unreadable; taking the person’s action as done',
      );
      return null;
    }
  }

  /** Door-left-open reminders and alarms, and closes whose record the disk refused. Never throws. */
  tick(): void {
    for (const [number, session] of this.sessions) {
      if (session.closed) this.saveClose(number, session);
      else this.deps.records.attempt('checking a door left open', () => this.checkLeftOpen(number, session));
    }
  }

  /** Writes a seen close; on a refused write the session stays (door BUSY, code spent nowhere) and the tick retries. */
  private saveClose(number: number, session: Session): void {
    const itemPresent = session.closed?.itemPresent ?? null;
    const { store } = this.deps;
    let outcome: CloseOutcome | undefined;
    const saved = this.deps.records.attempt('recording a close', () =>
      store.transaction(() => {
        for (const write of session.unsaved) write();
        outcome = this.recordClose(number, session, itemPresent);
      }),
    );
    if (!saved || !outcome) return;
    this.sessions.delete(number);
    this.deps.events.emit('closed', {
      compartment: number,
      purpose: session.purpose,
      outcome,
      reservationId: session.reservationId,
    });
  }

  private recordClose(number: number, session: Session, itemPresent: boolean | null): CloseOutcome {
    const { store, records } = this.deps;
    const record = store.compartment(number);
    const previous = previousStatus(
      record?.state,
      record?.reservationId ?? null,
      record?.disabledReason ?? null,
      record?.fault ?? null,
    );
    const outcome = closeOutcome(session.purpose, itemPresent, previous);
    const reservation = session.reservationId ? store.reservation(session.reservationId) : undefined;
    store.clearPendingUnlock(number);
    const keepLink = outcome.keepLink ? (session.reservationId ?? record?.reservationId ?? null) : null;
    store.updateCompartment(
      number,
      { state: outcome.compartment, door: 'closed', itemPresent, reservationId: keepLink },
      records.iso(),
    );
    // a load abandoned for a bigger compartment does not undo the load that replaced it
    const linkedHere =
      reservation && (reservation.compartment === number || reservation.compartment === null);
    if (reservation && outcome.reservation && linkedHere)
      store.setReservationState(
        reservation.id,
        outcome.reservation,
        outcome.keepLink ? number : null,
        records.iso(),
      );
    const late =
      session.purpose === 'return' && reservation?.dueAt
        ? Date.parse(reservation.dueAt) < this.deps.clock.wall()
        : false;
    this.deps.recorder.record(linkedHere || !reservation ? outcome.event : 'door_closed', {
      compartment: number,
      reservationId: session.reservationId,
      actor: session.actor,
      data: { purpose: session.purpose, itemPresent, ...(session.purpose === 'return' ? { late } : {}) },
    });
    return outcome;
  }

  private checkLeftOpen(number: number, session: Session): void {
    if (session.openedAt === null) return;
    const openedAt = session.openedAt;
    const now = this.deps.clock.monotonic();
    const due = doorLeftOpen(openedAt, now, session, this.deps.timing);
    if (due === 'remind') {
      session.reminded = true;
      this.deps.events.emit('reminder', { compartment: number });
    } else if (due === 'alarm') {
      this.deps.store.transaction(() =>
        this.deps.recorder.record('alarm', {
          compartment: number,
          reservationId: session.reservationId,
          data: { code: 'door_left_open', openForS: Math.round((now - openedAt) / 1000) },
        }),
      );
      session.alarmed = true;
    }
  }
}
