import type { Logger } from 'pino';
import type { CompartmentConfig } from '../config/device-config.ts';
import { type DoorReading, reconcilePlan } from '../flows/reconcile-plan.ts';
import type { LockBus } from '../lockbus/lock-bus.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { Clock } from './clock.ts';
import type { DoorRecords } from './door-records.ts';
import { newSession, pendingOf, resumedSession } from './door-session.ts';
import type { DoorSessions } from './door-sessions.ts';
import type { EventRecorder } from './event-recorder.ts';

/** The fault left by an unlock that may have reached the board: the door may have opened, unseen. */
export const unknownOutcomeFault = 'unlock_outcome_unknown';

/**
 * Compares each door's record with what its board reports, at start and — for a door whose board
 * was silent then — when the board first answers, and carries out {@link reconcilePlan}: an
 * opening left by a crash is followed to its close or held for staff, a door found open is
 * followed as a service opening, an item sensor that disagrees is believed.
 */
export class DoorReconciler {
  /** Doors read `unknown` at start: reconciled at their board's first answer. */
  private readonly awaiting = new Set<number>();

  constructor(
    private readonly deps: {
      store: DeviceStore;
      bus: LockBus;
      recorder: EventRecorder;
      records: DoorRecords;
      sessions: DoorSessions;
      compartments: readonly CompartmentConfig[];
      logger: Logger;
      /** A resumed opening's door-left-open time starts on the monotonic clock. */
      clock: Clock;
    },
  ) {}

  /** The door's board has not answered since the start: its record may hold an opening not yet settled. */
  isAwaiting(number: number): boolean {
    return this.awaiting.has(number);
  }

  /** At start: every door its board reports is reconciled; a door whose board is silent waits for its first answer. */
  async reconcileAll(): Promise<void> {
    const states = new Map((await this.deps.bus.readAll()).map((s) => [`${s.board}/${s.lock}`, s]));
    for (const config of this.deps.compartments) {
      const state = states.get(`${config.board}/${config.lock}`);
      if (!state) continue;
      if (state.door === 'unknown') {
        this.awaitBoard(config.number);
        continue;
      }
      const itemPresent = config.itemSensor ? (state.itemPresent ?? null) : null;
      await this.reconcileDoor(config, { door: state.door, itemPresent });
    }
  }

  /** A door awaiting its board was reported: reconciled now (true), or it still reads unknown (false: still awaiting). */
  async boardAnswered(config: CompartmentConfig, door: 'open' | 'closed' | 'unknown'): Promise<boolean> {
    if (door === 'unknown') return false;
    this.awaiting.delete(config.number);
    const itemPresent = await this.deps.sessions.readItem(config.number);
    await this.reconcileDoor(config, { door, itemPresent });
    return true;
  }

  private awaitBoard(number: number): void {
    this.awaiting.add(number);
    const { store, recorder, records } = this.deps;
    const record = store.compartment(number);
    records.attempt('reporting an unknown door', () =>
      store.transaction(() =>
        recorder.record('reconciled', {
          compartment: number,
          data: { found: 'door_unknown', expected: record?.door ?? 'unknown' },
        }),
      ),
    );
  }

  private async reconcileDoor(config: CompartmentConfig, reading: DoorReading): Promise<void> {
    const { store, recorder, records, sessions } = this.deps;
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
          records.opened(number, session, `${session.purpose} (found open after restart)`, {
            recovered: true,
          });
        sessions.set(number, session);
        return;
      }
      case 'finish': {
        // it opened and closed while we were away (or never opened: the item sensor tells the outcome)
        const session = resumedSession(pending!, this.deps.clock.monotonic());
        sessions.set(number, session);
        await sessions.finish(number, session);
        return;
      }
      case 'outcome_unknown':
        // as after an unlock of unknown outcome while running: the door may have opened and closed
        // unseen, so the code that asked for it opens nothing more until staff have checked
        records.attempt('reporting an unlock of unknown outcome', () =>
          store.transaction(() => {
            store.clearPendingUnlock(number);
            store.updateCompartment(number, { state: 'fault', fault: unknownOutcomeFault }, records.iso());
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
        records.writeOrKeep(number, session, () => {
          store.setPendingUnlock(pendingOf(number, session, records.iso()));
          store.updateCompartment(number, { door: 'open' }, records.iso());
          recorder.record('reconciled', {
            compartment: number,
            data: { found: 'door_open', expected: 'closed' },
          });
        });
        sessions.set(number, session);
        return;
      }
      case 'item_mismatch':
        records.attempt('reporting an item sensor that disagrees', () =>
          store.transaction(() => {
            store.updateCompartment(
              number,
              { itemPresent: plan.itemPresent, door: 'closed', state: plan.state },
              records.iso(),
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
        records.attempt('recording a closed door', () =>
          store.transaction(() =>
            store.updateCompartment(number, { door: 'closed', itemPresent: plan.itemPresent }, records.iso()),
          ),
        );
        return;
      case 'none':
        return;
    }
  }
}
