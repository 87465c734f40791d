import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reservation } from '@locker/protocol';
import { TestClock } from '@locker/test-kit/locker';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceStore } from '../store/device-store.ts';
import { ReservationCopy } from './reservation-copy.ts';

const hash = (digit: string) => digit.repeat(64);
const reservation = (id: string, patch: Partial<Reservation> = {}): Reservation => ({
  id,
  label: `label ${id}`,
  itemType: 'document',
  kind: 'document',
  size: 'S',
  state: 'loaded',
  pinHash: hash('a'),
  twoFactor: false,
  expiresAt: '2026-12-31T00:00:00.000Z',
  ...patch,
});

let store: DeviceStore | undefined;
afterEach(() => store?.close());

function copyOnNewStore() {
  store = DeviceStore.open(join(mkdtempSync(join(tmpdir(), 'reservation-copy-')), 'device.db'), {
    auditKey: 'a'.repeat(48),
  });
  return { store, copy: new ReservationCopy({ store, clock: new TestClock() }) };
}

describe('ReservationCopy', () => {
  it('applies changes in version order; a gap changes nothing and asks for a catch-up; a repeat is a duplicate', () => {
    const { store, copy } = copyOnNewStore();
    expect(copy.version()).toBe(0);
    expect(copy.apply({ v: 1, version: 1, kind: 'upsert', reservation: reservation('r-1') })).toBe('applied');
    expect(copy.apply({ v: 1, version: 3, kind: 'upsert', reservation: reservation('r-3') })).toBe('gap');
    expect(store.reservation('r-3')).toBeUndefined();
    expect(copy.apply({ v: 1, version: 1, kind: 'remove', reservationId: 'r-1' })).toBe('duplicate');
    expect(store.reservation('r-1')).toBeDefined();
    expect(copy.apply({ v: 1, version: 2, kind: 'remove', reservationId: 'r-1' })).toBe('applied');
    expect(store.reservation('r-1')).toBeUndefined();
    expect(copy.version()).toBe(2);
  });

  it('a snapshot replaces the copy, but a reservation whose item is still inside stays known, cancelled, until retrieved', () => {
    const { store, copy } = copyOnNewStore();
    copy.apply({
      v: 1,
      version: 1,
      kind: 'snapshot',
      reservations: [reservation('inside'), reservation('gone')],
      staff: [],
    });
    const now = '2026-11-24T10:00:00.000Z';
    store.ensureCompartments([1], now);
    store.setReservationState('inside', 'loaded', 1, now);
    store.updateCompartment(1, { state: 'occupied', reservationId: 'inside' }, now);

    expect(
      copy.apply({ v: 1, version: 5, kind: 'snapshot', reservations: [reservation('new')], staff: [] }),
    ).toBe('applied');
    expect(store.reservations().map((r) => [r.id, r.state])).toEqual(
      expect.arrayContaining([
        ['inside', 'cancelled'],
        ['new', 'loaded'],
      ]),
    );
    expect(store.reservation('gone')).toBeUndefined();
    expect(copy.version()).toBe(5);
  });

  it('a fleet update older than what happened at the locker never moves a reservation back', () => {
    const { store, copy } = copyOnNewStore();
    copy.apply({ v: 1, version: 1, kind: 'upsert', reservation: reservation('r-1') });
    store.setReservationState('r-1', 'picked_up', null, '2026-11-24T10:00:00.000Z');
    copy.apply({ v: 1, version: 2, kind: 'upsert', reservation: reservation('r-1', { state: 'notified' }) });
    expect(store.reservation('r-1')?.state).toBe('picked_up');
  });
});
