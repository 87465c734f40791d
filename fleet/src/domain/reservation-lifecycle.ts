import type { EventType, ReservationState } from '@locker/protocol';

export type DeskAction = 'cancel';

/** What a locker event does to a reservation at the fleet; `undefined`: nothing. */
const onEvent: Partial<Record<EventType, { from: readonly ReservationState[]; to: ReservationState }>> = {
  loaded: { from: ['created', 'ready_to_load'], to: 'loaded' },
  load_aborted: { from: ['loaded'], to: 'ready_to_load' },
  picked_up: { from: ['loaded', 'notified', 'expired'], to: 'picked_up' },
  returned: { from: ['picked_up', 'due'], to: 'returned' },
  retrieved: { from: ['expired', 'returned', 'cancelled', 'loaded', 'notified'], to: 'retrieved' },
};

/**
 * The next state after a locker event. The locker is the authority on what physically happened:
 * an event that does not fit the fleet's record (it raced a cancel, say) still moves the
 * reservation when it says an item left or came back, and is reported by `conflict`.
 */
export function stateAfterEvent(
  current: ReservationState,
  event: EventType,
): { state: ReservationState; conflict: boolean } | undefined {
  const rule = onEvent[event];
  if (!rule) return undefined;
  if (current === rule.to) return { state: current, conflict: false };
  if (rule.from.includes(current)) return { state: rule.to, conflict: false };
  const physical = event === 'picked_up' || event === 'returned' || event === 'retrieved';
  return physical ? { state: rule.to, conflict: true } : undefined;
}

/** Desk staff may cancel until the item has left the locker. */
export function canCancel(state: ReservationState): boolean {
  return ['created', 'ready_to_load', 'loaded', 'notified'].includes(state);
}

/** The citizen can be (re)sent codes while the item waits in the locker. */
export function canNotify(state: ReservationState): boolean {
  return state === 'loaded' || state === 'notified';
}

/** What the scheduler does at `now`. */
export function scheduledTransition(
  reservation: { state: ReservationState; expiresAt: string | null; dueAt: string | null },
  now: number,
): 'expire' | 'overdue' | undefined {
  const { state, expiresAt, dueAt } = reservation;
  if ((state === 'loaded' || state === 'notified') && expiresAt && Date.parse(expiresAt) <= now)
    return 'expire';
  if (state === 'picked_up' && dueAt && Date.parse(dueAt) <= now) return 'overdue';
  return undefined;
}
