import type { Reservation, ReservationChange } from '@locker/protocol';
import { mergeReservationState } from '../flows/reservation-merge.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { Clock } from './clock.ts';

export type ChangeVerdict = 'applied' | 'duplicate' | 'gap';

const syncVersionKey = 'sync_version';

/**
 * The locker's copy of its reservations and staff credentials, kept by the fleet's changes in
 * version order. The fleet is the authority on reservations, the device on what physically
 * happened (see {@link mergeReservationState}).
 */
export class ReservationCopy {
  constructor(
    private readonly deps: {
      store: DeviceStore;
      /** Wall clock: the records' stamps. */
      clock: Clock;
    },
  ) {}

  /** The version of the last change applied; 0 before the first. */
  version(): number {
    return Number(this.deps.store.getMeta(syncVersionKey) ?? 0);
  }

  /**
   * Applies a change in version order, in one transaction with its version: a repeat (or an older
   * change delivered late, snapshots included) changes nothing and is acknowledged again; a gap
   * asks for a catch-up.
   */
  apply(change: ReservationChange): ChangeVerdict {
    const { store } = this.deps;
    const current = this.version();
    if (change.version <= current) return 'duplicate';
    if (change.kind !== 'snapshot' && change.version !== current + 1) return 'gap';
    store.transaction(() => {
      const now = this.iso();
      if (change.kind === 'upsert') this.upsert(change.reservation, now);
      else if (change.kind === 'remove') this.remove(change.reservationId);
      else if (change.kind === 'staff') store.replaceStaff(change.staff);
      else {
        const keep = new Set(change.reservations.map((r) => r.id));
        for (const r of store.reservations()) if (!keep.has(r.id)) this.remove(r.id);
        for (const r of change.reservations) this.upsert(r, now);
        store.replaceStaff(change.staff);
      }
      store.setMeta(syncVersionKey, String(change.version));
    });
    return 'applied';
  }

  private upsert(reservation: Reservation, now: string): void {
    const { store } = this.deps;
    const local = store.reservation(reservation.id);
    store.upsertReservation(
      { ...reservation, state: mergeReservationState(local?.state, reservation.state) },
      now,
    );
  }

  private remove(id: string): void {
    const { store } = this.deps;
    const local = store.reservation(id);
    // an item still inside stays known until staff retrieve it
    if (local?.compartment && store.compartment(local.compartment)?.reservationId === id)
      store.setReservationState(id, 'cancelled', local.compartment, this.iso());
    else store.removeReservation(id);
  }

  private iso(): string {
    return new Date(this.deps.clock.wall()).toISOString();
  }
}
