import type { LockerEvent } from '@locker/protocol';
import { stateAfterEvent } from '../domain/reservation-lifecycle.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { ReservationRecord } from '../store/reservation-repo.ts';
import type { ChangeCommit, LoggedChange, Outgoing } from './change-commit.ts';
import type { ChangeLog } from './change-log.ts';
import { alarmFromEvent, compartmentAfterEvent } from './compartment-projection.ts';
import { daysAfter } from './days.ts';
import type { ReservationCodes } from './reservation-codes.ts';

/** Picked up (a document: a loan still comes back) or retrieved: nothing more to open with its codes. */
const finished = (state: ReservationRecord['state'], kind: 'document' | 'loan' | undefined) =>
  state === 'retrieved' || (state === 'picked_up' && kind !== 'loan');

/**
 * Applies what lockers report, each event once: the event kept, the compartment projected, an
 * alarm raised, and the reservation moved on — codes issued when its item is loaded, its codes
 * dropped when it is finished, a due date when a loan leaves.
 */
export class EventIngest {
  constructor(
    private readonly deps: {
      store: FleetStore;
      commit: ChangeCommit;
      changeLog: ChangeLog;
      codes: ReservationCodes;
      now: () => number;
    },
  ) {}

  /** A redelivered id changes nothing. */
  apply(event: LockerEvent): 'applied' | 'duplicate' {
    const { store } = this.deps;
    const at = new Date(this.deps.now()).toISOString();
    return this.deps.commit.commitAndPublish((out) => {
      if (!store.events.insertIfNew(event, at)) return 'duplicate';
      store.lockers.setLastSeq(event.lockerId, event.seq);
      this.project(event, at);
      const record = event.reservationId ? store.reservations.get(event.reservationId) : undefined;
      if (record && record.lockerId === event.lockerId) {
        const logged = this.advance(record, event, at, out);
        if (logged) out.publish(logged);
      }
      out.live({
        kind: 'event',
        lockerId: event.lockerId,
        type: event.type,
        compartment: event.compartment ?? null,
        reservationId: event.reservationId ?? null,
      });
      return 'applied';
    });
  }

  private project(event: LockerEvent, at: string): void {
    const { lockers } = this.deps.store;
    const alarm = alarmFromEvent(event);
    if (alarm) lockers.insertAlarm(alarm);
    const current = event.compartment ? lockers.compartment(event.lockerId, event.compartment) : undefined;
    const next = compartmentAfterEvent(current, event, at);
    if (next) lockers.upsertCompartment(next);
  }

  private advance(
    record: ReservationRecord,
    event: LockerEvent,
    at: string,
    out: Outgoing,
  ): LoggedChange | undefined {
    const { store, changeLog } = this.deps;
    const next = stateAfterEvent(record.state, event.type);
    if (!next || next.state === record.state) return undefined;
    if (next.conflict)
      store.audit.append({
        actor: `locker:${event.lockerId}`,
        action: 'reservation.conflict',
        municipalityId: record.municipalityId,
        target: record.id,
        data: { fleetState: record.state, event: event.type, eventId: event.id },
      });
    const compartment = event.compartment ?? record.compartment;
    store.reservations.update(record.id, { state: next.state, compartment }, at);
    out.live({ kind: 'reservation', lockerId: record.lockerId, reservationId: record.id, state: next.state });
    const type = store.directory.itemType(record.itemType);
    if (next.state === 'loaded') {
      store.reservations.update(
        record.id,
        { expiresAt: daysAfter(this.deps.now(), type?.daysToCollect ?? 14) },
        at,
      );
      return this.deps.codes.send({ ...record, state: 'loaded' }, at);
    }
    if (finished(next.state, type?.kind)) {
      // its codes leave the set the locker's new PINs must avoid
      store.reservations.update(record.id, { pinHash: null, qrHash: null, returnPinHash: null }, at);
      return changeLog.remove(record.id, at);
    }
    if (next.state === 'picked_up') {
      if (type?.kind !== 'loan' || !type.daysToReturn) return undefined;
      store.reservations.update(
        record.id,
        { dueAt: daysAfter(this.deps.now(), type.daysToReturn), reminded: false },
        at,
      );
      return changeLog.upsert(record.id, at);
    }
    return next.state === 'ready_to_load' ? changeLog.upsert(record.id, at) : undefined;
  }
}
