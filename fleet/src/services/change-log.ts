import type { Reservation, ReservationChange, StaffCredential } from '@locker/protocol';
import type { FleetStore } from '../store/fleet-store.ts';
import type { ChangeBody } from '../store/locker-repo.ts';
import type { ReservationRecord } from '../store/reservation-repo.ts';
import type { LoggedChange } from './change-commit.ts';
import { daysAfter } from './days.ts';
import { FleetError, notFound } from './fleet-errors.ts';

/** A locker holds a reservation without an expiry this long at most. */
const defaultExpiryDays = 30;

/**
 * Each locker's log of reservation changes, by version: what the locker should hold, as the
 * locker sees it (codes only as keyed hashes, no personal data). Appends run inside the caller's
 * transaction; the caller publishes what they return.
 */
export class ChangeLog {
  constructor(private readonly deps: { store: FleetStore; now: () => number }) {}

  /** The reservation as its locker sees it. */
  toLocker(record: ReservationRecord): Reservation {
    const type = this.deps.store.directory.itemType(record.itemType);
    if (!type) throw new FleetError('ITEM_TYPE_UNKNOWN', `item type ${record.itemType} is not configured`);
    return {
      id: record.id,
      label: record.ref,
      itemType: record.itemType,
      kind: type.kind,
      size: type.size,
      state: record.state,
      twoFactor: type.twoFactor,
      expiresAt: record.expiresAt ?? daysAfter(this.deps.now(), defaultExpiryDays),
      ...(record.pinHash ? { pinHash: record.pinHash } : {}),
      ...(record.qrHash ? { qrHash: record.qrHash } : {}),
      ...(record.returnPinHash ? { returnPinHash: record.returnPinHash } : {}),
      ...(record.dueAt ? { dueAt: record.dueAt } : {}),
    };
  }

  /** The reservation as it now stands, for its locker. */
  upsert(id: string, at: string): LoggedChange {
    const record = this.record(id);
    const reservation = this.toLocker(record);
    return this.append(record.lockerId, { kind: 'upsert', reservation }, at);
  }

  /** The reservation leaves its locker. */
  remove(id: string, at: string): LoggedChange {
    const record = this.record(id);
    return this.append(record.lockerId, { kind: 'remove', reservationId: id }, at);
  }

  /**
   * Everything a locker should hold, as one change above `aboveVersion`: for a locker far behind
   * (a replaced locker PC) or ahead (the fleet restored from a backup) of the change log.
   */
  snapshot(lockerId: string, aboveVersion: number, at: string): ReservationChange {
    const { store } = this.deps;
    const reservations = store.reservations
      .list({
        municipalities: 'all',
        lockerId,
        states: ['ready_to_load', 'loaded', 'notified', 'picked_up', 'due', 'returned', 'expired'],
        limit: 10_000,
      })
      .map((r) => this.toLocker(r))
      .filter((r) => r.state !== 'picked_up' || r.kind === 'loan');
    const staff = this.staffOf(lockerId);
    return store.lockers.appendChange(
      lockerId,
      { kind: 'snapshot', reservations, staff },
      at,
      aboveVersion + 1,
    );
  }

  /** The locker's staff PINs (keyed hashes) changed: its whole staff list. */
  staff(lockerId: string, at: string): LoggedChange {
    return this.append(lockerId, { kind: 'staff', staff: this.staffOf(lockerId) }, at);
  }

  private staffOf(lockerId: string): StaffCredential[] {
    return this.deps.store.users.staffPins(lockerId).map((s) => ({
      id: s.userId,
      display: s.display.slice(0, 40),
      role: s.role === 'desk' ? 'desk' : 'it',
      pinHash: s.pinHash,
    }));
  }

  private append(lockerId: string, body: ChangeBody, at: string): LoggedChange {
    return { lockerId, change: this.deps.store.lockers.appendChange(lockerId, body, at) };
  }

  private record(id: string): ReservationRecord {
    const record = this.deps.store.reservations.get(id);
    if (!record) throw notFound(`reservation ${id}`);
    return record;
  }
}
