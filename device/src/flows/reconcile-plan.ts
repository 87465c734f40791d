import type { CompartmentRecord, CompartmentStatus, PendingUnlock } from '../store/store-types.ts';

/** What one door's record and its board's reading say to do, once the board has answered. */
export type ReconcileAction =
  /** An unlock was pending and the door is open: follow it to its close; record the opening if not done. */
  | { kind: 'resume_open'; recordOpening: boolean }
  /** An unlock was pending and the door is closed: it opened and closed while we were away, or the item sensor tells. */
  | { kind: 'finish' }
  /** An unlock was pending, the door is closed, nothing tells whether it opened: clear it, report, and keep citizens out until staff check. */
  | { kind: 'outcome_unknown' }
  /** Open with nobody having asked: follow it as a service opening and report. */
  | { kind: 'found_open' }
  /** The item sensor disagrees with the record: keep what the sensor sees; an item in a "free" compartment makes it occupied. */
  | { kind: 'item_mismatch'; itemPresent: boolean; state: CompartmentStatus }
  /** Closed as expected; the record said otherwise about the door only. */
  | { kind: 'mark_closed'; itemPresent: boolean | null }
  | { kind: 'none' };

export interface DoorReading {
  door: 'open' | 'closed';
  /** The item sensor's reading; null where the compartment has none or it was unreadable. */
  itemPresent: boolean | null;
}

/** Pure: the reconciliation of one door at start, or later when its board first answers. */
export function reconcilePlan(
  record: CompartmentRecord,
  pending: PendingUnlock | undefined,
  reading: DoorReading,
  itemSensor: boolean,
): ReconcileAction {
  if (pending) {
    if (reading.door === 'open') return { kind: 'resume_open', recordOpening: !pending.opened };
    return pending.opened || itemSensor ? { kind: 'finish' } : { kind: 'outcome_unknown' };
  }
  if (reading.door === 'open') return { kind: 'found_open' };
  const { itemPresent } = reading;
  const expectedItem = record.state === 'occupied' ? true : record.state === 'free' ? false : null;
  if (itemPresent !== null && expectedItem !== null && itemPresent !== expectedItem)
    return {
      kind: 'item_mismatch',
      itemPresent,
      state: itemPresent && record.state === 'free' ? 'occupied' : record.state,
    };
  if (record.door !== 'closed') return { kind: 'mark_closed', itemPresent };
  return { kind: 'none' };
}
