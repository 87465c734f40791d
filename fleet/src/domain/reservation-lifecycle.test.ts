import { reservationStateSchema } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import { canCancel, canNotify, scheduledTransition, stateAfterEvent } from './reservation-lifecycle.ts';

describe('reservation lifecycle at the fleet', () => {
  it('moves along the documented path by locker events', () => {
    expect(stateAfterEvent('ready_to_load', 'loaded')).toEqual({ state: 'loaded', conflict: false });
    expect(stateAfterEvent('loaded', 'load_aborted')).toEqual({ state: 'ready_to_load', conflict: false });
    expect(stateAfterEvent('notified', 'picked_up')).toEqual({ state: 'picked_up', conflict: false });
    expect(stateAfterEvent('picked_up', 'returned')).toEqual({ state: 'returned', conflict: false });
    expect(stateAfterEvent('returned', 'retrieved')).toEqual({ state: 'retrieved', conflict: false });
    expect(stateAfterEvent('expired', 'retrieved')).toEqual({ state: 'retrieved', conflict: false });
  });

  it('a physical fact wins over a record it raced, and is flagged; other events that do not fit change nothing', () => {
    expect(stateAfterEvent('cancelled', 'picked_up')).toEqual({ state: 'picked_up', conflict: true });
    expect(stateAfterEvent('picked_up', 'loaded')).toBeUndefined();
    expect(stateAfterEvent('loaded', 'door_opened')).toBeUndefined();
    expect(stateAfterEvent('loaded', 'loaded')).toEqual({ state: 'loaded', conflict: false });
  });

  it('cancel and notify only while the item has not left', () => {
    for (const state of reservationStateSchema.options) {
      expect(canCancel(state), state).toBe(
        ['created', 'ready_to_load', 'loaded', 'notified'].includes(state),
      );
      expect(canNotify(state), state).toBe(['loaded', 'notified'].includes(state));
    }
  });

  it('expires waiting items and flags loans past their due date', () => {
    const now = Date.parse('2026-11-24T12:00:00Z');
    expect(
      scheduledTransition({ state: 'notified', expiresAt: '2026-11-24T11:59:59Z', dueAt: null }, now),
    ).toBe('expire');
    expect(
      scheduledTransition({ state: 'loaded', expiresAt: '2026-11-25T00:00:00Z', dueAt: null }, now),
    ).toBeUndefined();
    expect(
      scheduledTransition({ state: 'picked_up', expiresAt: null, dueAt: '2026-11-24T12:00:00Z' }, now),
    ).toBe('overdue');
    expect(
      scheduledTransition({ state: 'returned', expiresAt: '2026-01-01T00:00:00Z', dueAt: null }, now),
    ).toBeUndefined();
  });
});
