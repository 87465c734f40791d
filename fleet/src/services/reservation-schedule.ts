import { scheduledTransition } from '../domain/reservation-lifecycle.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { ReservationRecord } from '../store/reservation-repo.ts';
import type { ChangeCommit } from './change-commit.ts';
import type { ChangeLog } from './change-log.ts';
import { dayMs } from './days.ts';
import type { ReservationNotices } from './reservation-notices.ts';

/** A reminder goes out this long before the pickup deadline or the return date. */
const remindBeforeMs = dayMs;

/**
 * What time does to reservations, one pass per tick: an item left too long expires (its locker is
 * told, staff retrieve it), an overdue loan is flagged and its citizen told once, and a reminder
 * goes out once a day before the deadline. Each reservation in its own transaction.
 */
export class ReservationSchedule {
  constructor(
    private readonly deps: {
      store: FleetStore;
      commit: ChangeCommit;
      changeLog: ChangeLog;
      notices: ReservationNotices;
      now: () => number;
    },
  ) {}

  /** Returns how many reservations expired. */
  tick(): number {
    const now = this.deps.now();
    let expired = 0;
    for (const record of this.deps.store.reservations.active()) if (this.step(record, now)) expired++;
    return expired;
  }

  private step(record: ReservationRecord, now: number): boolean {
    const { store, changeLog, notices } = this.deps;
    const at = new Date(now).toISOString();
    const transition = scheduledTransition(record, now);
    return this.deps.commit.commitAndPublish((out) => {
      if (transition === 'expire') {
        store.reservations.update(record.id, { state: 'expired' }, at);
        store.audit.append({
          actor: 'system',
          action: 'reservation.expire',
          municipalityId: record.municipalityId,
          target: record.id,
          data: {},
        });
        out.publish(changeLog.upsert(record.id, at));
        out.live({
          kind: 'reservation',
          lockerId: record.lockerId,
          reservationId: record.id,
          state: 'expired',
        });
        return true;
      }
      if (transition === 'overdue' && !record.overdue) {
        store.reservations.update(record.id, { overdue: true }, at);
        notices.queue(record, 'overdue', undefined, at);
        return false;
      }
      const deadline = record.state === 'picked_up' ? record.dueAt : record.expiresAt;
      const due = deadline ? Date.parse(deadline) : undefined;
      if (!record.reminded && due !== undefined && due - remindBeforeMs <= now && due > now) {
        store.reservations.update(record.id, { reminded: true }, at);
        notices.queue(
          record,
          record.state === 'picked_up' ? 'return_reminder' : 'expiry_reminder',
          undefined,
          at,
        );
      }
      return false;
    });
  }
}
