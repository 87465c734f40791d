import { codeHash, isPin, isStaffBadge, isStaffPin, parseQr } from '@locker/protocol';
import type { CodeMatch, ReservationView } from '../flows/code-decision.ts';
import type { DeviceStore } from '../store/device-store.ts';
import type { ReservationRecord } from '../store/store-types.ts';

const view = (r: ReservationRecord): ReservationView => ({
  id: r.id,
  kind: r.kind,
  state: r.state,
  twoFactor: r.twoFactor,
  expiresAt: r.expiresAt,
  dueAt: r.dueAt,
  compartment: r.compartment,
});

/** Whose wrong-code counter a line goes to; a QR code (128+ bits) and a malformed line to none. */
export type GuessCounter = 'citizen' | 'staff';

export function guessCounter(text: string): GuessCounter | null {
  const code = text.trim();
  if (isPin(code)) return 'citizen';
  return isStaffPin(code) || isStaffBadge(code) ? 'staff' : null;
}

/**
 * Turns a typed or scanned line into what it matches, by keyed hash only: a QR code for this
 * locker, one for another locker, a pickup or return PIN, a staff PIN, or a staff badge.
 */
export function resolveCode(store: DeviceStore, key: string, lockerId: string, text: string): CodeMatch {
  const code = text.trim();
  const qr = parseQr(code);
  if (qr) {
    if (qr.lockerId !== lockerId) return { kind: 'other_locker', lockerId: qr.lockerId };
    const found = store.reservationByCode('qr_hash', codeHash(key, lockerId, 'qr', qr.token));
    return found ? { kind: 'pickup', factor: 'qr', reservation: view(found) } : { kind: 'none' };
  }
  if (isPin(code)) {
    const pickup = store.reservationByCode('pin_hash', codeHash(key, lockerId, 'pin', code));
    if (pickup && !['picked_up', 'due'].includes(pickup.state))
      return { kind: 'pickup', factor: 'pin', reservation: view(pickup) };
    const loan = store.reservationByCode('return_pin_hash', codeHash(key, lockerId, 'pin', code));
    if (loan) return { kind: 'return', reservation: view(loan) };
    if (pickup) return { kind: 'pickup', factor: 'pin', reservation: view(pickup) };
  }
  if (isStaffPin(code)) {
    const staff = store.staffByCode('pin_hash', codeHash(key, lockerId, 'staff', code));
    if (staff) return { kind: 'staff', staffId: staff.id };
  }
  if (isStaffBadge(code)) {
    const badge = store.staffByCode('badge_hash', codeHash(key, lockerId, 'staff', code));
    if (badge) return { kind: 'staff', staffId: badge.id };
  }
  return { kind: 'none' };
}
