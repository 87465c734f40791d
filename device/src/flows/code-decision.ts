import type { ReservationState } from '@locker/protocol';
import type { Instant } from '../runtime/clock.ts';

export interface ReservationView {
  id: string;
  kind: 'document' | 'loan';
  state: ReservationState;
  twoFactor: boolean;
  expiresAt: string;
  dueAt: string | null;
  compartment: number | null;
}

/** What the shell found for an entered code (by keyed hash); the decision below is pure. */
export type CodeMatch =
  | { kind: 'pickup'; factor: 'pin' | 'qr'; reservation: ReservationView }
  | { kind: 'return'; reservation: ReservationView }
  | { kind: 'staff'; staffId: string }
  | { kind: 'other_locker'; lockerId: string }
  | { kind: 'none' };

export interface SecondFactorWait {
  reservationId: string;
  have: 'pin' | 'qr';
  /** Monotonic ms: a stepped wall clock neither stretches nor ends the window. */
  until: number;
}

export type RejectReason =
  | 'unknown_code'
  | 'expired'
  | 'not_ready'
  | 'already_collected'
  | 'other_locker'
  | 'wrong_second_factor'
  | 'cancelled'
  | 'not_on_loan';

export type CodeDecision =
  | { action: 'open_pickup'; reservationId: string; compartment: number }
  | { action: 'open_return'; reservationId: string; late: boolean }
  | { action: 'second_factor'; wait: SecondFactorWait }
  | { action: 'staff'; staffId: string }
  | { action: 'reject'; reason: RejectReason; countsAsFailure: boolean; lockerId?: string };

const reject = (reason: RejectReason, countsAsFailure = false): CodeDecision => ({
  action: 'reject',
  reason,
  countsAsFailure,
});

export const secondFactorWindowMs = 120_000;

/**
 * Decides what a code entered at the locker does. Two-factor reservations need the PIN and the
 * QR code of the same reservation, in either order, within {@link secondFactorWindowMs}.
 */
export function decideCode(match: CodeMatch, waiting: SecondFactorWait | null, now: Instant): CodeDecision {
  const pending = waiting && waiting.until > now.monotonic ? waiting : null;
  if (pending && match.kind !== 'staff') {
    if (
      match.kind !== 'pickup' ||
      match.reservation.id !== pending.reservationId ||
      match.factor === pending.have
    )
      return reject('wrong_second_factor', true);
  }
  switch (match.kind) {
    case 'none':
      return reject('unknown_code', true);
    case 'other_locker':
      return { action: 'reject', reason: 'other_locker', countsAsFailure: false, lockerId: match.lockerId };
    case 'staff':
      return { action: 'staff', staffId: match.staffId };
    case 'return': {
      const r = match.reservation;
      if (r.kind !== 'loan' || !['picked_up', 'due'].includes(r.state)) return reject('not_on_loan');
      return {
        action: 'open_return',
        reservationId: r.id,
        late: r.dueAt !== null && Date.parse(r.dueAt) < now.wall,
      };
    }
    case 'pickup': {
      const r = match.reservation;
      if (r.state === 'cancelled') return reject('cancelled');
      if (['picked_up', 'due', 'returned', 'retrieved'].includes(r.state)) return reject('already_collected');
      if (r.state === 'expired' || Date.parse(r.expiresAt) <= now.wall) return reject('expired');
      if (!['loaded', 'notified'].includes(r.state) || r.compartment === null) return reject('not_ready');
      if (r.twoFactor && !pending)
        return {
          action: 'second_factor',
          wait: { reservationId: r.id, have: match.factor, until: now.monotonic + secondFactorWindowMs },
        };
      return { action: 'open_pickup', reservationId: r.id, compartment: r.compartment };
    }
  }
}
