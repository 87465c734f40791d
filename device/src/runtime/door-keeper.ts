import { EventEmitter } from 'node:events';
import type { Actor } from '@locker/protocol';
import type { Logger } from 'pino';
import type { CompartmentConfig } from '../config/device-config.ts';
import { type CloseOutcome, closeOutcome, type DoorOpenTiming, doorLeftOpen } from '../flows/door-outcome.ts';
import type { DoorEvent, LockBus, LockBusFault } from '../lockbus/lock-bus.ts';
import { LockBusError } from '../lockbus/lock-bus-error.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { CompartmentStatus, PendingUnlock, UnlockPurpose } from '../store/store-types.ts';
import type { EventRecorder } from './event-recorder.ts';

export type OpenResult =
  | { ok: true; compartment: number }
  | {
      ok: false;
      compartment: number;
      code: 'BUSY' | 'DISABLED' | LockBusError['code'] | 'UNLOCK_FAILED';
      message: string;
    };

export interface DoorKeeperEvents {
  closed: [
    { compartment: number; purpose: UnlockPurpose; outcome: CloseOutcome; reservationId: string | null },
  ];
  reminder: [{ compartment: number }];
}

interface Session {
  purpose: UnlockPurpose;
  reservationId: string | null;
  actor: Actor;
  openedAt: number | null;
  reminded: boolean;
  alarmed: boolean;
}

const actorOf = (p: PendingUnlock): Actor => ({ kind: p.actorKind, ...(p.actorId ? { id: p.actorId } : {}) });

/**
 * Owns every door opening: the session is written before the unlock command goes out and cleared
 * when the door is seen closed, so a crash at any instant neither loses the outcome nor opens a
 * door twice. Every opening is in the audit log; every change goes out as an event.
 */
export class DoorKeeper extends EventEmitter<DoorKeeperEvents> {
  private readonly sessions = new Map<number, Session>();
  private readonly byLock = new Map<string, CompartmentConfig>();
  private readonly byNumber = new Map<number, CompartmentConfig>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      store: DeviceStore;
      bus: LockBus;
      recorder: EventRecorder;
      compartments: CompartmentConfig[];
      timing: DoorOpenTiming;
      logger: Logger;
      now: () => number;
    },
  ) {
    super();
  }

  private readonly onDoor = (event: DoorEvent) =>
    void this.doorChanged(event).catch((error) => this.failed('door event', error));
  private readonly onFault = (fault: LockBusFault) => this.busFault(fault);

  async start(): Promise<void> {
    for (const c of this.deps.compartments) {
      this.byLock.set(`${c.board}/${c.lock}`, c);
      this.byNumber.set(c.number, c);
    }
    this.deps.store.ensureCompartments(
      this.deps.compartments.map((c) => c.number),
      this.iso(),
    );
    await this.reconcile();
    this.deps.bus.on('door', this.onDoor);
    this.deps.bus.on('fault', this.onFault);
    this.timer = setInterval(() => this.checkLeftOpen(), 1000);
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

  /** Opens one compartment for a purpose; resolves when the door is seen open, or with why not. */
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
    if (record.state === 'disabled' && purpose !== 'remote' && purpose !== 'service')
      return {
        ok: false,
        compartment: number,
        code: 'DISABLED',
        message: `compartment ${number} is disabled`,
      };
    const session: Session = {
      purpose,
      reservationId,
      actor,
      openedAt: null,
      reminded: false,
      alarmed: false,
    };
    this.sessions.set(number, session);
    const { store } = this.deps;
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
    try {
      await this.deps.bus.unlock({ board: config.board, lock: config.lock });
    } catch (error) {
      this.sessions.delete(number);
      const code = error instanceof LockBusError ? error.code : 'UNLOCK_FAILED';
      const message = (error as Error).message;
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
      });
      this.deps.logger.warn({ compartment: number, purpose, code }, 'compartment did not open');
      return { ok: false, compartment: number, code, message };
    }
    session.openedAt = this.deps.now();
    store.transaction(() => {
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
    const session = this.sessions.get(number);
    if (event.door === 'open' && !session && event.cause !== 'initial') {
      // nobody asked: a key, force, or an unlock whose outcome was unknown
      const actor: Actor = { kind: 'system' };
      this.sessions.set(number, {
        purpose: 'service',
        reservationId: null,
        actor,
        openedAt: this.deps.now(),
        reminded: false,
        alarmed: false,
      });
      const { store } = this.deps;
      store.transaction(() => {
        store.setPendingUnlock({
          compartment: number,
          purpose: 'service',
          reservationId: null,
          actorKind: 'system',
          actorId: null,
          startedAt: this.iso(),
          opened: true,
        });
        store.updateCompartment(number, { door: 'open' }, this.iso());
        this.audit(number, actor, event.cause, 'opened_without_command');
        this.deps.recorder.record('door_opened', {
          compartment: number,
          actor,
          data: { cause: event.cause },
        });
      });
      return;
    }
    if (event.door === 'closed' && session?.openedAt) await this.finish(number, session);
  }

  private async finish(number: number, session: Session): Promise<void> {
    this.sessions.delete(number);
    const itemPresent = await this.readItem(number);
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
    store.transaction(() => {
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
          ? Date.parse(reservation.dueAt) < this.deps.now()
          : false;
      this.deps.recorder.record(linkedHere || !reservation ? outcome.event : 'door_closed', {
        compartment: number,
        reservationId: session.reservationId,
        actor: session.actor,
        data: { purpose: session.purpose, itemPresent, ...(session.purpose === 'return' ? { late } : {}) },
      });
    });
    this.emit('closed', {
      compartment: number,
      purpose: session.purpose,
      outcome,
      reservationId: session.reservationId,
    });
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

  /** At start: compare the records with what the boards report; raise an event for every difference. */
  private async reconcile(): Promise<void> {
    const { store, recorder } = this.deps;
    const states = new Map((await this.deps.bus.readAll()).map((s) => [`${s.board}/${s.lock}`, s]));
    const pending = new Map(store.pendingUnlocks().map((p) => [p.compartment, p]));
    for (const config of this.deps.compartments) {
      const state = states.get(`${config.board}/${config.lock}`);
      const record = store.compartment(config.number);
      const session = pending.get(config.number);
      if (!state || !record) continue;
      const itemPresent = config.itemSensor ? (state.itemPresent ?? null) : null;
      if (state.door === 'unknown') {
        store.transaction(() =>
          recorder.record('reconciled', {
            compartment: config.number,
            data: { found: 'door_unknown', expected: record.door },
          }),
        );
        continue;
      }
      if (session) {
        const resumed: Session = {
          purpose: session.purpose,
          reservationId: session.reservationId,
          actor: actorOf(session),
          openedAt: null,
          reminded: false,
          alarmed: false,
        };
        if (state.door === 'open') {
          resumed.openedAt = this.deps.now();
          this.sessions.set(config.number, resumed);
          if (!session.opened)
            store.transaction(() => {
              store.markUnlockOpened(config.number);
              store.updateCompartment(
                config.number,
                { state: 'open', door: 'open', opens: record.opens + 1 },
                this.iso(),
              );
              this.audit(
                config.number,
                resumed.actor,
                `${session.purpose} (found open after restart)`,
                'opened',
              );
              recorder.record('door_opened', {
                compartment: config.number,
                reservationId: session.reservationId,
                actor: resumed.actor,
                data: { purpose: session.purpose, recovered: true },
              });
            });
        } else if (session.opened || config.itemSensor) {
          // it opened and closed while we were down (or never opened: the item sensor tells the outcome)
          resumed.openedAt = this.deps.now();
          await this.finish(config.number, resumed);
        } else {
          store.transaction(() => {
            store.clearPendingUnlock(config.number);
            recorder.record('reconciled', {
              compartment: config.number,
              reservationId: session.reservationId,
              data: { found: 'unlock_outcome_unknown', purpose: session.purpose },
            });
          });
        }
        continue;
      }
      if (state.door === 'open') {
        this.sessions.set(config.number, {
          purpose: 'service',
          reservationId: null,
          actor: { kind: 'system' },
          openedAt: this.deps.now(),
          reminded: false,
          alarmed: false,
        });
        store.transaction(() => {
          store.setPendingUnlock({
            compartment: config.number,
            purpose: 'service',
            reservationId: null,
            actorKind: 'system',
            actorId: null,
            startedAt: this.iso(),
            opened: true,
          });
          store.updateCompartment(config.number, { door: 'open' }, this.iso());
          recorder.record('reconciled', {
            compartment: config.number,
            data: { found: 'door_open', expected: 'closed' },
          });
        });
        continue;
      }
      const expectedItem = record.state === 'occupied' ? true : record.state === 'free' ? false : null;
      if (itemPresent !== null && expectedItem !== null && itemPresent !== expectedItem)
        store.transaction(() => {
          store.updateCompartment(config.number, { itemPresent, door: 'closed' }, this.iso());
          recorder.record('reconciled', {
            compartment: config.number,
            reservationId: record.reservationId,
            data: { found: itemPresent ? 'item_present' : 'item_absent', expected: record.state },
          });
        });
      else if (record.door !== 'closed')
        store.updateCompartment(config.number, { door: 'closed', itemPresent }, this.iso());
    }
  }

  private checkLeftOpen(): void {
    const now = this.deps.now();
    for (const [number, session] of this.sessions) {
      if (session.openedAt === null) continue;
      const due = doorLeftOpen(session.openedAt, now, session, this.deps.timing);
      if (due === 'remind') {
        session.reminded = true;
        this.emit('reminder', { compartment: number });
      } else if (due === 'alarm') {
        session.alarmed = true;
        this.deps.store.transaction(() =>
          this.deps.recorder.record('alarm', {
            compartment: number,
            reservationId: session.reservationId,
            data: { code: 'door_left_open', openForS: Math.round((now - session.openedAt!) / 1000) },
          }),
        );
      }
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
    return new Date(this.deps.now()).toISOString();
  }

  private failed(what: string, error: unknown): void {
    this.deps.logger.error({ err: error }, `${what} failed; the door state is re-read at the next change`);
  }
}

function previousStatus(
  state: CompartmentStatus | undefined,
  reservationId: string | null,
  disabledReason: string | null,
  fault: string | null,
): CompartmentStatus {
  if (disabledReason) return 'disabled';
  if (fault) return 'fault';
  if (state && state !== 'open') return state;
  return reservationId ? 'occupied' : 'free';
}
