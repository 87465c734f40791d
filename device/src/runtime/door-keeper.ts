import { EventEmitter } from 'node:events';
import type { Actor } from '@locker/protocol';
import type { Logger } from 'pino';
import type { CompartmentConfig } from '../config/device-config.ts';
import { type CloseOutcome, closeOutcome, type DoorOpenTiming, doorLeftOpen } from '../flows/door-outcome.ts';
import { type DoorReading, reconcilePlan } from '../flows/reconcile-plan.ts';
import type { DoorEvent, LockBus, LockBusFault } from '../lockbus/lock-bus.ts';
import { LockBusError } from '../lockbus/lock-bus-error.ts';
import type { DeviceStore } from '../store/device-store.ts';
import { isWriteFailure } from '../store/store-error.ts';
import type { UnlockPurpose } from '../store/store-types.ts';
import type { Clock } from './clock.ts';
import { newSession, pendingOf, previousStatus, resumedSession, type Session } from './door-session.ts';
import type { EventRecorder } from './event-recorder.ts';

export type OpenResult =
  | { ok: true; compartment: number }
  | {
      ok: false;
      compartment: number;
      code: 'BUSY' | 'DISABLED' | LockBusError['code'] | 'UNLOCK_FAILED' | 'STORE_WRITE_FAILED';
      message: string;
    };

export interface DoorKeeperEvents {
  closed: [
    { compartment: number; purpose: UnlockPurpose; outcome: CloseOutcome; reservationId: string | null },
  ];
  reminder: [{ compartment: number }];
}

/** The fault left by an unlock that may have reached the board: the door may have opened, unseen. */
const unknownOutcomeFault = 'unlock_outcome_unknown';
/** Openings a citizen's code asks for: never into a compartment whose last unlock may have opened it. */
const citizenPurposes: readonly UnlockPurpose[] = ['pickup', 'return'];

export const doorKeeperDefaults = {
  /** Door-left-open checks and retries of closes the disk refused. */
  tickMs: 1000,
};

/**
 * Owns every door opening: the session is written before the unlock command goes out and cleared
 * only after its close is written, so a crash or a full disk at any instant neither loses the
 * outcome nor opens a door twice. Door events are handled one at a time; a door whose board is
 * silent at start is reconciled when the board first answers. Every opening is in the audit log;
 * every change goes out as an event.
 */
export class DoorKeeper extends EventEmitter<DoorKeeperEvents> {
  private readonly sessions = new Map<number, Session>();
  private readonly byLock = new Map<string, CompartmentConfig>();
  private readonly byNumber = new Map<number, CompartmentConfig>();
  /** Doors read `unknown` at start: reconciled at their board's first answer. */
  private readonly awaiting = new Set<number>();
  private doorWork: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      store: DeviceStore;
      bus: LockBus;
      recorder: EventRecorder;
      compartments: CompartmentConfig[];
      timing: DoorOpenTiming;
      logger: Logger;
      /** Wall clock for stamps and due dates; door-left-open times run on the monotonic clock. */
      clock: Clock;
    },
  ) {
    super();
  }

  private readonly onDoor = (event: DoorEvent) =>
    void this.serially(() => this.doorChanged(event)).catch((error) => this.failed('door event', error));
  private readonly onFault = (fault: LockBusFault) =>
    this.attempt('recording a bus fault', () => this.busFault(fault));

  async start(): Promise<void> {
    for (const c of this.deps.compartments) {
      this.byLock.set(`${c.board}/${c.lock}`, c);
      this.byNumber.set(c.number, c);
    }
    this.attempt('adding configured compartments', () =>
      this.deps.store.ensureCompartments(
        this.deps.compartments.map((c) => c.number),
        this.iso(),
      ),
    );
    // listen first: a board that answers during reconciliation queues its doors behind it
    this.deps.bus.on('door', this.onDoor);
    this.deps.bus.on('fault', this.onFault);
    await this.serially(() => this.reconcile());
    this.timer = setInterval(() => this.tick(), doorKeeperDefaults.tickMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.deps.bus.off('door', this.onDoor);
    this.deps.bus.off('fault', this.onFault);
  }

  isOpen(compartment: number): boolean {
    return this.sessions.has(compartment);
  }

  openCount(): number {
    return this.sessions.size;
  }

  /**
   * Opens one compartment for a purpose; resolves when the door is seen open, or with why not.
   * The pending-unlock record is written before anything changes in memory or on the bus: no
   * unlock without its durable record, and a refused write leaves the compartment as it was.
   */
  async open(
    number: number,
    purpose: UnlockPurpose,
    reservationId: string | null,
    actor: Actor,
    reason: string,
  ): Promise<OpenResult> {
    const config = this.byNumber.get(number);
    const record = this.deps.store.compartment(number);
    if (!config || !record)
      return {
        ok: false,
        compartment: number,
        code: 'UNKNOWN_LOCK',
        message: `compartment ${number} is not configured`,
      };
    if (this.sessions.has(number))
      return {
        ok: false,
        compartment: number,
        code: 'BUSY',
        message: `compartment ${number} is already open`,
      };
    // its record may hold an opening from before the restart: nothing may replace it before it is settled
    if (this.awaiting.has(number))
      return {
        ok: false,
        compartment: number,
        code: 'BOARD_OFFLINE',
        message: `compartment ${number}: its board has not answered since the start; it opens once the board answers and its door is reconciled`,
      };
    if (record.state === 'disabled' && purpose !== 'remote' && purpose !== 'service')
      return {
        ok: false,
        compartment: number,
        code: 'DISABLED',
        message: `compartment ${number} is disabled`,
      };
    if (record.fault === unknownOutcomeFault && citizenPurposes.includes(purpose))
      return {
        ok: false,
        compartment: number,
        code: 'UNLOCK_OUTCOME_UNKNOWN',
        message: `compartment ${number}: its last unlock may have opened it; it opens for citizens again once staff have checked and enabled it`,
      };
    const { store } = this.deps;
    try {
      store.transaction(() =>
        store.setPendingUnlock({
          compartment: number,
          purpose,
          reservationId,
          actorKind: actor.kind,
          actorId: actor.id ?? null,
          startedAt: this.iso(),
          opened: false,
        }),
      );
    } catch (error) {
      if (!isWriteFailure(error)) throw error;
      this.deps.logger.error(
        { compartment: number, purpose, err: error },
        'unlock not sent: its record could not be written',
      );
      return {
        ok: false,
        compartment: number,
        code: 'STORE_WRITE_FAILED',
        message: (error as Error).message,
      };
    }
    const session = newSession(purpose, reservationId, actor, null);
    this.sessions.set(number, session);
    try {
      await this.deps.bus.unlock({ board: config.board, lock: config.lock });
    } catch (error) {
      const code = error instanceof LockBusError ? error.code : 'UNLOCK_FAILED';
      const message = (error as Error).message;
      this.attempt('recording a failed unlock', () =>
        store.transaction(() => {
          store.clearPendingUnlock(number);
          this.audit(number, actor, reason, code.toLowerCase());
          if (code === 'DOOR_JAMMED' || code === 'UNLOCK_OUTCOME_UNKNOWN') {
            store.updateCompartment(number, { state: 'fault', fault: code.toLowerCase() }, this.iso());
            this.deps.recorder.record('fault', {
              compartment: number,
              reservationId,
              actor,
              data: { code: code.toLowerCase(), purpose },
            });
          } else if (code === 'DOOR_ALREADY_OPEN') {
            // an open door is for staff to close, never a pickup: tell them, leave the compartment as it is
            this.deps.recorder.record('fault', {
              compartment: number,
              reservationId,
              actor,
              data: { code: 'door_already_open', purpose },
            });
          }
        }),
      );
      // no opening to follow; a pending record left by a refused write is reconciled at the next start
      this.sessions.delete(number);
      this.deps.logger.warn({ compartment: number, purpose, code }, 'compartment did not open');
      return { ok: false, compartment: number, code, message };
    }
    session.openedAt = this.deps.clock.monotonic();
    this.writeOrKeep(number, session, () => {
      store.markUnlockOpened(number);
      const current = store.compartment(number);
      store.updateCompartment(
        number,
        { state: 'open', door: 'open', opens: (current?.opens ?? 0) + 1 },
        this.iso(),
      );
      this.audit(number, actor, reason, 'opened');
      this.deps.recorder.record('door_opened', {
        compartment: number,
        reservationId,
        actor,
        data: { purpose },
      });
    });
    return { ok: true, compartment: number };
  }

  private async doorChanged(event: DoorEvent): Promise<void> {
    const config = this.byLock.get(`${event.board}/${event.lock}`);
    if (!config) return;
    const number = config.number;
    if (this.awaiting.has(number)) {
      // its board was silent at start: reconcile the door now that it answers
      if (event.door === 'unknown') return;
      this.awaiting.delete(number);
      const itemPresent = await this.readItem(number);
      await this.reconcileDoor(config, { door: event.door, itemPresent });
      return;
    }
    const session = this.sessions.get(number);
    if (event.door === 'open' && !session && event.cause !== 'initial') {
      // nobody asked: a key, force, or an unlock whose outcome was unknown
      const actor: Actor = { kind: 'system' };
      const opened = newSession('service', null, actor, this.deps.clock.monotonic());
      const { store } = this.deps;
      this.writeOrKeep(number, opened, () => {
        store.setPendingUnlock(pendingOf(number, opened, this.iso()));
        store.updateCompartment(number, { door: 'open' }, this.iso());
        this.audit(number, actor, event.cause, 'opened_without_command');
        this.deps.recorder.record('door_opened', {
          compartment: number,
          actor,
          data: { cause: event.cause },
        });
      });
      this.sessions.set(number, opened);
      return;
    }
    if (event.door === 'closed' && session?.openedAt && !session.closing) await this.finish(number, session);
  }

  /** The door is closed: read the item sensor, then record the close; the session goes only once that is written. */
  private async finish(number: number, session: Session): Promise<void> {
    session.closing = true;
    session.closed = { itemPresent: await this.readItem(number) };
    this.saveClose(number, session);
  }

  /** Writes a seen close; on a refused write the session stays (door BUSY, code spent nowhere) and the tick retries. */
  private saveClose(number: number, session: Session): void {
    const itemPresent = session.closed?.itemPresent ?? null;
    const { store } = this.deps;
    let outcome: CloseOutcome | undefined;
    const saved = this.attempt('recording a close', () =>
      store.transaction(() => {
        for (const write of session.unsaved) write();
        outcome = this.recordClose(number, session, itemPresent);
      }),
    );
    if (!saved || !outcome) return;
    this.sessions.delete(number);
    this.emit('closed', {
      compartment: number,
      purpose: session.purpose,
      outcome,
      reservationId: session.reservationId,
    });
  }

  private recordClose(number: number, session: Session, itemPresent: boolean | null): CloseOutcome {
    const { store } = this.deps;
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
      this.iso(),
    );
    // a load abandoned for a bigger compartment does not undo the load that replaced it
    const linkedHere =
      reservation && (reservation.compartment === number || reservation.compartment === null);
    if (reservation && outcome.reservation && linkedHere)
      store.setReservationState(
        reservation.id,
        outcome.reservation,
        outcome.keepLink ? number : null,
        this.iso(),
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

  private async readItem(number: number): Promise<boolean | null> {
    const config = this.byNumber.get(number);
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

  /** At start: compare the records with what the boards report; a door whose board is silent waits for its first answer. */
  private async reconcile(): Promise<void> {
    const states = new Map((await this.deps.bus.readAll()).map((s) => [`${s.board}/${s.lock}`, s]));
    for (const config of this.deps.compartments) {
      const state = states.get(`${config.board}/${config.lock}`);
      if (!state) continue;
      if (state.door === 'unknown') {
        this.awaiting.add(config.number);
        const record = this.deps.store.compartment(config.number);
        this.attempt('reporting an unknown door', () =>
          this.deps.store.transaction(() =>
            this.deps.recorder.record('reconciled', {
              compartment: config.number,
              data: { found: 'door_unknown', expected: record?.door ?? 'unknown' },
            }),
          ),
        );
        continue;
      }
      const itemPresent = config.itemSensor ? (state.itemPresent ?? null) : null;
      await this.reconcileDoor(config, { door: state.door, itemPresent });
    }
  }

  private async reconcileDoor(config: CompartmentConfig, reading: DoorReading): Promise<void> {
    const { store, recorder } = this.deps;
    const number = config.number;
    const record = store.compartment(number);
    if (!record) return;
    const pending = store.pendingUnlock(number);
    const plan = reconcilePlan(record, pending, reading, config.itemSensor);
    if (plan.kind !== 'none' && plan.kind !== 'mark_closed')
      this.deps.logger.info({ compartment: number, door: reading.door, plan: plan.kind }, 'door reconciled');
    switch (plan.kind) {
      case 'resume_open': {
        const session = resumedSession(pending!, this.deps.clock.monotonic());
        if (plan.recordOpening)
          this.writeOrKeep(number, session, () => {
            store.markUnlockOpened(number);
            const current = store.compartment(number);
            store.updateCompartment(
              number,
              { state: 'open', door: 'open', opens: (current?.opens ?? 0) + 1 },
              this.iso(),
            );
            this.audit(number, session.actor, `${session.purpose} (found open after restart)`, 'opened');
            recorder.record('door_opened', {
              compartment: number,
              reservationId: session.reservationId,
              actor: session.actor,
              data: { purpose: session.purpose, recovered: true },
            });
          });
        this.sessions.set(number, session);
        return;
      }
      case 'finish': {
        // it opened and closed while we were away (or never opened: the item sensor tells the outcome)
        const session = resumedSession(pending!, this.deps.clock.monotonic());
        this.sessions.set(number, session);
        await this.finish(number, session);
        return;
      }
      case 'outcome_unknown':
        // as after an unlock of unknown outcome while running: the door may have opened and closed
        // unseen, so the code that asked for it opens nothing more until staff have checked
        this.attempt('reporting an unlock of unknown outcome', () =>
          store.transaction(() => {
            store.clearPendingUnlock(number);
            store.updateCompartment(number, { state: 'fault', fault: unknownOutcomeFault }, this.iso());
            recorder.record('reconciled', {
              compartment: number,
              reservationId: pending?.reservationId ?? null,
              data: { found: 'unlock_outcome_unknown', purpose: pending?.purpose ?? null },
            });
          }),
        );
        return;
      case 'found_open': {
        const session = newSession('service', null, { kind: 'system' }, this.deps.clock.monotonic());
        this.writeOrKeep(number, session, () => {
          store.setPendingUnlock(pendingOf(number, session, this.iso()));
          store.updateCompartment(number, { door: 'open' }, this.iso());
          recorder.record('reconciled', {
            compartment: number,
            data: { found: 'door_open', expected: 'closed' },
          });
        });
        this.sessions.set(number, session);
        return;
      }
      case 'item_mismatch':
        this.attempt('reporting an item sensor that disagrees', () =>
          store.transaction(() => {
            store.updateCompartment(
              number,
              { itemPresent: plan.itemPresent, door: 'closed', state: plan.state },
              this.iso(),
            );
            recorder.record('reconciled', {
              compartment: number,
              reservationId: record.reservationId,
              data: { found: plan.itemPresent ? 'item_present' : 'item_absent', expected: record.state },
            });
          }),
        );
        return;
      case 'mark_closed':
        this.attempt('recording a closed door', () =>
          store.transaction(() =>
            store.updateCompartment(number, { door: 'closed', itemPresent: plan.itemPresent }, this.iso()),
          ),
        );
        return;
      case 'none':
        return;
    }
  }

  /** Every second: door-left-open reminders and alarms, and closes whose record the disk refused. Never throws. */
  private tick(): void {
    for (const [number, session] of this.sessions) {
      if (session.closed) this.saveClose(number, session);
      else this.attempt('checking a door left open', () => this.checkLeftOpen(number, session));
    }
  }

  private checkLeftOpen(number: number, session: Session): void {
    if (session.openedAt === null) return;
    const openedAt = session.openedAt;
    const now = this.deps.clock.monotonic();
    const due = doorLeftOpen(openedAt, now, session, this.deps.timing);
    if (due === 'remind') {
      session.reminded = true;
      this.emit('reminder', { compartment: number });
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

  /** Door events and reconciliation one at a time, in order. */
  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.doorWork.then(work);
    this.doorWork = next.catch(() => undefined);
    return next;
  }

  /** Records what was seen now; if the disk refuses, keeps the record for the session's close. */
  private writeOrKeep(number: number, session: Session, write: () => void): void {
    try {
      this.deps.store.transaction(write);
    } catch (error) {
      this.failed(`recording compartment ${number}`, error);
      session.unsaved.push(write);
    }
  }

  /** Runs a write whose failure must not stop the caller (timers, listeners, start-up); says whether it worked. */
  private attempt(what: string, work: () => void): boolean {
    try {
      work();
      return true;
    } catch (error) {
      this.failed(what, error);
      return false;
    }
  }

  private busFault(fault: LockBusFault): void {
    const config = fault.lock === undefined ? undefined : this.byLock.get(`${fault.board}/${fault.lock}`);
    this.deps.store.transaction(() =>
      this.deps.recorder.record(fault.code === 'door_forced' ? 'alarm' : 'fault', {
        ...(config ? { compartment: config.number } : {}),
        data: { code: fault.code, board: fault.board, message: fault.message },
      }),
    );
  }

  private audit(compartment: number, actor: Actor, reason: string, outcome: string): void {
    this.deps.store.audit.append({
      at: this.iso(),
      compartment,
      actorKind: actor.kind,
      actorId: actor.id ?? null,
      reason,
      outcome,
    });
  }

  private iso(): string {
    return new Date(this.deps.clock.wall()).toISOString();
  }

  private failed(what: string, error: unknown): void {
    this.deps.logger.error(
      { err: error },
      `${what} failed; a refused write is retried at the next tick or change`,
    );
  }
}
