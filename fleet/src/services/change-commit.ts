import type { ReservationChange } from '@locker/protocol';
import type { FleetStore } from '../store/fleet-store.ts';
import type { ChangePublisher, LiveUpdate } from './change-publisher.ts';

/** A change appended to a locker's log, to be published once it is committed. */
export interface LoggedChange {
  lockerId: string;
  change: ReservationChange;
}

/** What a unit of work hands out: held back until its transaction has committed. */
export interface Outgoing {
  publish(logged: LoggedChange): void;
  live(update: LiveUpdate): void;
}

/**
 * The one path from a write to the lockers and the dashboard: the work runs in one transaction,
 * and only once it has committed are its changes published (in the order it logged them) and its
 * live updates announced. A work that throws rolls back and announces nothing.
 */
export class ChangeCommit {
  constructor(
    private readonly deps: {
      store: Pick<FleetStore, 'transaction'>;
      publisher: Pick<ChangePublisher, 'sendChange'>;
      live: (update: LiveUpdate) => void;
    },
  ) {}

  commitAndPublish<T>(work: (out: Outgoing) => T): T {
    const changes: LoggedChange[] = [];
    const updates: LiveUpdate[] = [];
    const result = this.deps.store.transaction(() =>
      work({ publish: (logged) => changes.push(logged), live: (update) => updates.push(update) }),
    );
    for (const { lockerId, change } of changes) this.deps.publisher.sendChange(lockerId, change);
    for (const update of updates) this.deps.live(update);
    return result;
  }
}
