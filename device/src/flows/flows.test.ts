import type { ReservationState } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import type { Instant } from '../runtime/clock.ts';
import { type CodeMatch, decideCode, type ReservationView, secondFactorWindowMs } from './code-decision.ts';
import { type CompartmentCandidate, chooseCompartment, nextSize } from './compartment-choice.ts';
import { closeOutcome, defaultDoorOpenTiming, doorLeftOpen } from './door-outcome.ts';
import { mergeReservationState } from './reservation-merge.ts';

const now = Date.parse('2026-11-24T10:00:00Z');
/** Both clocks at one reading; the monotonic one counts from an arbitrary origin. */
const at = (wall: number, monotonic = wall - now + 5_000): Instant => ({ wall, monotonic });
const reservation = (patch: Partial<ReservationView> = {}): ReservationView => ({
  id: 'r-1',
  kind: 'document',
  state: 'loaded',
  twoFactor: false,
  expiresAt: '2026-12-01T00:00:00Z',
  dueAt: null,
  compartment: 7,
  ...patch,
});
const pickup = (patch: Partial<ReservationView> = {}, factor: 'pin' | 'qr' = 'pin'): CodeMatch => ({
  kind: 'pickup',
  factor,
  reservation: reservation(patch),
});

describe('code decision', () => {
  it('opens the compartment of a loaded one-factor reservation', () => {
    expect(decideCode(pickup(), null, at(now))).toEqual({
      action: 'open_pickup',
      reservationId: 'r-1',
      compartment: 7,
    });
    expect(decideCode(pickup({ state: 'notified' }, 'qr'), null, at(now)).action).toBe('open_pickup');
  });

  it.each<[ReservationState, string]>([
    ['created', 'not_ready'],
    ['ready_to_load', 'not_ready'],
    ['picked_up', 'already_collected'],
    ['due', 'already_collected'],
    ['returned', 'already_collected'],
    ['retrieved', 'already_collected'],
    ['expired', 'expired'],
    ['cancelled', 'cancelled'],
  ])('refuses a pickup in state %s (%s) without counting it as a guess', (state, reason) => {
    expect(decideCode(pickup({ state }), null, at(now))).toEqual({
      action: 'reject',
      reason,
      countsAsFailure: false,
    });
  });

  it('refuses a pickup past its expiry even before the fleet marked it expired', () => {
    expect(decideCode(pickup({ expiresAt: '2026-11-24T09:59:59Z' }), null, at(now))).toMatchObject({
      reason: 'expired',
    });
  });

  it('counts an unknown code as a failure and names the locker of a code for another one', () => {
    expect(decideCode({ kind: 'none' }, null, at(now))).toEqual({
      action: 'reject',
      reason: 'unknown_code',
      countsAsFailure: true,
    });
    expect(decideCode({ kind: 'other_locker', lockerId: 'poperinge-1' }, null, at(now))).toEqual({
      action: 'reject',
      reason: 'other_locker',
      countsAsFailure: false,
      lockerId: 'poperinge-1',
    });
  });

  it('two factors: asks for the other one, then opens only for the same reservation in time', () => {
    for (const first of ['pin', 'qr'] as const) {
      const second = first === 'pin' ? 'qr' : 'pin';
      const ask = decideCode(pickup({ twoFactor: true }, first), null, at(now));
      expect(ask).toEqual({
        action: 'second_factor',
        wait: { reservationId: 'r-1', have: first, until: at(now).monotonic + secondFactorWindowMs },
      });
      if (ask.action !== 'second_factor') throw new Error('unreachable');
      expect(decideCode(pickup({ twoFactor: true }, second), ask.wait, at(now + 1000)).action).toBe(
        'open_pickup',
      );
      // the same factor twice is not two factors
      expect(decideCode(pickup({ twoFactor: true }, first), ask.wait, at(now + 1000))).toMatchObject({
        reason: 'wrong_second_factor',
        countsAsFailure: true,
      });
      // the other factor of a different reservation
      expect(
        decideCode(pickup({ id: 'r-2', twoFactor: true }, second), ask.wait, at(now + 1000)),
      ).toMatchObject({
        reason: 'wrong_second_factor',
      });
      expect(decideCode({ kind: 'none' }, ask.wait, at(now + 1000))).toMatchObject({
        reason: 'wrong_second_factor',
      });
      // too late: the wait is over and the second code starts again
      expect(
        decideCode(pickup({ twoFactor: true }, second), ask.wait, at(now + secondFactorWindowMs + 1)).action,
      ).toBe('second_factor');
    }
  });

  it('two factors: the window runs on the monotonic clock, a wall clock stepped 1 h either way neither ends nor stretches it', () => {
    const ask = decideCode(pickup({ twoFactor: true }, 'qr'), null, at(now));
    if (ask.action !== 'second_factor') throw new Error('expected a second-factor wait');
    const later = at(now).monotonic + 1000;
    const pin = pickup({ twoFactor: true }, 'pin');
    expect(decideCode(pin, ask.wait, at(now - 3_600_000, later)).action).toBe('open_pickup');
    expect(decideCode(pin, ask.wait, at(now + 3_600_000, later)).action).toBe('open_pickup');
    const late = at(now).monotonic + secondFactorWindowMs + 1;
    expect(decideCode(pin, ask.wait, at(now - 3_600_000, late)).action).toBe('second_factor');
  });

  it('returns: only loans that are out, flagged late after the due date', () => {
    const loan = (patch: Partial<ReservationView>): CodeMatch => ({
      kind: 'return',
      reservation: reservation({ kind: 'loan', state: 'picked_up', dueAt: '2026-11-25T00:00:00Z', ...patch }),
    });
    expect(decideCode(loan({}), null, at(now))).toEqual({
      action: 'open_return',
      reservationId: 'r-1',
      late: false,
    });
    expect(decideCode(loan({ state: 'due', dueAt: '2026-11-23T00:00:00Z' }), null, at(now))).toMatchObject({
      late: true,
    });
    expect(decideCode(loan({ state: 'returned' }), null, at(now))).toMatchObject({ reason: 'not_on_loan' });
    expect(decideCode(loan({ kind: 'document' }), null, at(now))).toMatchObject({ reason: 'not_on_loan' });
  });

  it('lets staff in even while a citizen is half-way through two factors', () => {
    const wait = { reservationId: 'r-1', have: 'pin' as const, until: now + 5000 };
    expect(decideCode({ kind: 'staff', staffId: 's-1' }, wait, at(now))).toEqual({
      action: 'staff',
      staffId: 's-1',
    });
  });
});

describe('compartment choice', () => {
  const c = (
    number: number,
    size: CompartmentCandidate['size'],
    opens = 0,
    free = true,
  ): CompartmentCandidate => ({
    number,
    size,
    opens,
    free,
  });

  it('takes the smallest free size that fits, then the least used, then the lowest number', () => {
    const all = [c(1, 'L'), c(2, 'M', 5), c(3, 'M', 2), c(4, 'M', 2), c(5, 'S', 0, false)];
    expect(chooseCompartment(all, 'S')).toBe(3);
    expect(chooseCompartment(all, 'M', new Set([3]))).toBe(4);
    expect(chooseCompartment(all, 'M', new Set(), 'L')).toBe(1);
    expect(chooseCompartment(all, 'XL')).toBeUndefined();
    expect(nextSize('M')).toBe('L');
    expect(nextSize('XL')).toBeUndefined();
  });
});

describe('door closed outcome', () => {
  it.each([
    ['load', true, 'occupied', 'loaded', 'loaded'],
    ['load', null, 'occupied', 'loaded', 'loaded'],
    ['load', false, 'free', 'ready_to_load', 'load_aborted'],
    ['pickup', false, 'free', 'picked_up', 'picked_up'],
    ['pickup', null, 'free', 'picked_up', 'picked_up'],
    ['pickup', true, 'occupied', null, 'door_closed'],
    ['return', true, 'occupied', 'returned', 'returned'],
    ['return', null, 'occupied', 'returned', 'returned'],
    ['return', false, 'free', null, 'door_closed'],
    ['retrieve', false, 'free', 'retrieved', 'retrieved'],
    ['retrieve', null, 'free', 'retrieved', 'retrieved'],
    ['retrieve', true, 'occupied', null, 'door_closed'],
    ['remote', true, 'occupied', null, 'door_closed'],
    ['service', false, 'disabled', null, 'door_closed'],
  ] as const)(
    '%s with item sensor %s → %s, reservation %s, event %s',
    (purpose, item, compartment, state, event) => {
      const previous = purpose === 'service' ? 'disabled' : purpose === 'remote' ? 'occupied' : 'reserved';
      const outcome = closeOutcome(purpose, item, previous);
      expect(outcome).toMatchObject({ compartment, reservation: state, event });
    },
  );

  it('reminds, then alarms, each once, about a door left open', () => {
    const t = defaultDoorOpenTiming;
    expect(doorLeftOpen(now, now + t.reminderMs - 1, { reminded: false, alarmed: false }, t)).toBeNull();
    expect(doorLeftOpen(now, now + t.reminderMs, { reminded: false, alarmed: false }, t)).toBe('remind');
    expect(doorLeftOpen(now, now + t.alarmMs - 1, { reminded: true, alarmed: false }, t)).toBeNull();
    expect(doorLeftOpen(now, now + t.alarmMs, { reminded: true, alarmed: false }, t)).toBe('alarm');
    expect(doorLeftOpen(now, now + t.alarmMs * 3, { reminded: true, alarmed: true }, t)).toBeNull();
  });
});

describe('reservation merge (fleet update vs device state)', () => {
  it('takes the fleet state for new reservations and forward moves', () => {
    expect(mergeReservationState(undefined, 'ready_to_load')).toBe('ready_to_load');
    expect(mergeReservationState('loaded', 'notified')).toBe('notified');
    expect(mergeReservationState('picked_up', 'due')).toBe('due');
  });

  it('never moves a physical fact back because of a late echo', () => {
    expect(mergeReservationState('loaded', 'ready_to_load')).toBe('loaded');
    expect(mergeReservationState('picked_up', 'notified')).toBe('picked_up');
    expect(mergeReservationState('returned', 'due')).toBe('returned');
  });

  it('applies cancel and expiry until the item has left, and keeps them until retrieved', () => {
    expect(mergeReservationState('loaded', 'cancelled')).toBe('cancelled');
    expect(mergeReservationState('notified', 'expired')).toBe('expired');
    expect(mergeReservationState('picked_up', 'cancelled')).toBe('picked_up');
    expect(mergeReservationState('expired', 'notified')).toBe('expired');
    expect(mergeReservationState('expired', 'retrieved')).toBe('retrieved');
  });
});
