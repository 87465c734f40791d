import { EventEmitter } from 'node:events';
import type { Actor } from '@locker/protocol';
import type { Logger } from 'pino';
import type { CompartmentConfig } from '../config/device-config.ts';
import type { DoorOpenTiming } from '../flows/door-outcome.ts';
import type { DoorEvent, LockBus, LockBusFault } from '../lockbus/lock-bus.ts';
import { LockBusError } from '../lockbus/lock-bus-error.ts';
import type { DeviceStore } from '../store/device-store.ts';
import { isWriteFailure } from '../store/store-error.ts';
import type { UnlockPurpose } from '../store/store-types.ts';
import type { Clock } from './clock.ts';
import { DoorReconciler, unknownOutcomeFault } from './door-reconciler.ts';
import { DoorRecords } from './door-records.ts';
import { newSession, pendingOf } from './door-session.ts';
import { type DoorSessionEvents, DoorSessions } from './door-sessions.ts';
import type { EventRecorder } from './event-recorder.ts';

export type OpenResult =
  | { ok: true; compartment: number }
  | {
      ok: false;
      compartment: number;
      code: 'BUSY' | 'DISABLED' | LockBusError['code'] | 'UNLOCK_FAILED' | 'STORE_WRITE_FAILED';
      message: string;
    };

export type DoorKeeperEvents = DoorSessionEvents;

/** Openings a citizen's code asks for: never into a compartment whose last unlock may have opened it. */
const citizenPurposes: readonly UnlockPurpose[] = ['pickup', 'return'];

export const doorKeeperDefaults = {
  /** Door-left-open checks and retries of closes the disk refused. */
  tickMs: 1000,
};

/**
 * Owns every door opening: the session is written before the unlock command goes out and cleared
 * only after its close is written (DoorSessions), so a crash or a full disk at any instant neither
 * loses the outcome nor opens a door twice. Door events are handled one at a time; a door whose
 * board is silent at start is reconciled when the board first answers (DoorReconciler). Every
 * opening is in the audit log; every change goes out as an event (DoorRecords).
 */
export class DoorKeeper extends EventEmitter<DoorKeeperEvents> {
  private readonly byLock: ReadonlyMap<string, CompartmentConfig>;
  private readonly byNumber: ReadonlyMap<number, CompartmentConfig>;
  private readonly records: DoorRecords;
  private readonly sessions: DoorSessions;
  private readonly reconciler: DoorReconciler;
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
    this.byLock = new Map(deps.compartments.map((c) => [`${c.board}/${c.lock}`, c]));
    this.byNumber = new Map(deps.compartments.map((c) => [c.number, c]));
    this.records = new DoorRecords(deps);
    this.sessions = new DoorSessions({
      ...deps,
      records: this.records,
      compartments: this.byNumber,
      events: this,
    });
    this.reconciler = new DoorReconciler({ ...deps, records: this.records, sessions: this.sessions });
  }

  private readonly onDoor = (event: DoorEvent) =>
    void this.serially(() => this.doorChanged(event)).catch((error) =>
      this.records.failed('door event', error),
    );
  private readonly onFault = (fault: LockBusFault) =>
    this.records.attempt('recording a bus fault', () => this.busFault(fault));

  async start(): Promise<void> {
    this.records.attempt('adding configured compartments', () =>
      this.deps.store.ensureCompartments(
        this.deps.compartments.map((c) => c.number),
        this.records.iso(),
      ),
    );
    // listen first: a board that answers during reconciliation queues its doors behind it
    this.deps.bus.on('door', this.onDoor);
    this.deps.bus.on('fault', this.onFault);
    await this.serially(() => this.reconciler.reconcileAll());
    this.timer = setInterval(() => this.sessions.tick(), doorKeeperDefaults.tickMs);
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
    if (this.reconciler.isAwaiting(number))
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
          startedAt: this.records.iso(),
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
      this.unlockFailed(number, purpose, reservationId, actor, reason, code);
      return { ok: false, compartment: number, code, message: (error as Error).message };
    }
    session.openedAt = this.deps.clock.monotonic();
    this.records.opened(number, session, reason, {});
    return { ok: true, compartment: number };
  }

  /** No opening to follow; a pending record left by a refused write is reconciled at the next start. */
  private unlockFailed(
    number: number,
    purpose: UnlockPurpose,
    reservationId: string | null,
    actor: Actor,
    reason: string,
    code: Exclude<OpenResult, { ok: true }>['code'],
  ): void {
    const { store, recorder } = this.deps;
    this.records.attempt('recording a failed unlock', () =>
      store.transaction(() => {
        store.clearPendingUnlock(number);
        this.records.audit(number, actor, reason, code.toLowerCase());
        if (code === 'DOOR_JAMMED' || code === 'UNLOCK_OUTCOME_UNKNOWN') {
          store.updateCompartment(number, { state: 'fault', fault: code.toLowerCase() }, this.records.iso());
          recorder.record('fault', {
            compartment: number,
            reservationId,
            actor,
            data: { code: code.toLowerCase(), purpose },
          });
        } else if (code === 'DOOR_ALREADY_OPEN') {
          // an open door is for staff to close, never a pickup: tell them, leave the compartment as it is
          recorder.record('fault', {
            compartment: number,
            reservationId,
            actor,
            data: { code: 'door_already_open', purpose },
          });
        }
      }),
    );
    this.sessions.drop(number);
    this.deps.logger.warn({ compartment: number, purpose, code }, 'compartment did not open');
  }

  private async doorChanged(event: DoorEvent): Promise<void> {
    const config = this.byLock.get(`${event.board}/${event.lock}`);
    if (!config) return;
    const number = config.number;
    // its board was silent at start: reconcile the door now that it answers
    if (this.reconciler.isAwaiting(number)) {
      await this.reconciler.boardAnswered(config, event.door);
      return;
    }
    const session = this.sessions.get(number);
    if (event.door === 'open' && !session && event.cause !== 'initial') {
      // nobody asked: a key, force, or an unlock whose outcome was unknown
      const actor: Actor = { kind: 'system' };
      const opened = newSession('service', null, actor, this.deps.clock.monotonic());
      const { store, recorder } = this.deps;
      this.records.writeOrKeep(number, opened, () => {
        store.setPendingUnlock(pendingOf(number, opened, this.records.iso()));
        store.updateCompartment(number, { door: 'open' }, this.records.iso());
        this.records.audit(number, actor, event.cause, 'opened_without_command');
        recorder.record('door_opened', { compartment: number, actor, data: { cause: event.cause } });
      });
      this.sessions.set(number, opened);
      return;
    }
    if (event.door === 'closed' && session?.openedAt && !session.closing)
      await this.sessions.finish(number, session);
  }

  private busFault(fault: LockBusFault): void {
    const config = fault.lock === undefined ? undefined : this.byLock.get(`${fault.board}/${fault.lock}`);
    this.records.busFault(fault, config?.number);
  }

  /** Door events and reconciliation one at a time, in order. */
  private serially(work: () => Promise<void>): Promise<void> {
    const next = this.doorWork.then(work);
    this.doorWork = next.catch(() => undefined);
    return next;
  }
}
