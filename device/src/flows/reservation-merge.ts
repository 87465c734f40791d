import type { ReservationState } from '@locker/protocol';

/** Lifecycle order of the states either side may set. */
const rank: Record<ReservationState, number> = {
  created: 0,
  ready_to_load: 1,
  loaded: 2,
  notified: 3,
  picked_up: 4,
  due: 5,
  returned: 6,
  expired: 6,
  cancelled: 6,
  retrieved: 7,
};

const physical: readonly ReservationState[] = ['loaded', 'picked_up', 'returned', 'retrieved'];

/**
 * The fleet is the authority on reservations, the device on what physically happened. A fleet
 * update that arrives after the device moved on (its echo is still on the way) never moves a
 * reservation back; cancel and expiry apply until the item has left or come back.
 */
export function mergeReservationState(
  local: ReservationState | undefined,
  remote: ReservationState,
): ReservationState {
  if (local === undefined || local === remote) return remote;
  if (remote === 'cancelled' || remote === 'expired')
    return ['picked_up', 'due', 'returned', 'retrieved'].includes(local) ? local : remote;
  if ((local === 'cancelled' || local === 'expired') && remote !== 'retrieved') return local;
  if (physical.includes(local) && rank[remote] < rank[local]) return local;
  return rank[remote] >= rank[local] ? remote : local;
}
