import { describe, expect, it } from 'vitest';
import type { CompartmentRecord, PendingUnlock } from '../store/store-types.ts';
import { reconcilePlan } from './reconcile-plan.ts';

const record = (patch: Partial<CompartmentRecord> = {}): CompartmentRecord => ({
  number: 1,
  state: 'free',
  reservationId: null,
  door: 'closed',
  itemPresent: null,
  opens: 0,
  fault: null,
  disabledReason: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...patch,
});
const pending = (opened: boolean): PendingUnlock => ({
  compartment: 1,
  purpose: 'pickup',
  reservationId: 'r-1',
  actorKind: 'citizen',
  actorId: 'r-1',
  startedAt: '2026-01-01T00:00:00.000Z',
  opened,
});

describe('reconcilePlan: one door, once its board has answered', () => {
  it('follows a pending unlock whose door is open, recording the opening only if it was not recorded', () => {
    expect(reconcilePlan(record(), pending(false), { door: 'open', itemPresent: true }, true)).toEqual({
      kind: 'resume_open',
      recordOpening: true,
    });
    expect(reconcilePlan(record(), pending(true), { door: 'open', itemPresent: true }, true)).toEqual({
      kind: 'resume_open',
      recordOpening: false,
    });
  });

  it('finishes a pending unlock found closed when it was seen open or an item sensor tells the outcome', () => {
    expect(reconcilePlan(record(), pending(true), { door: 'closed', itemPresent: null }, false).kind).toBe(
      'finish',
    );
    expect(reconcilePlan(record(), pending(false), { door: 'closed', itemPresent: false }, true).kind).toBe(
      'finish',
    );
    expect(reconcilePlan(record(), pending(false), { door: 'closed', itemPresent: null }, false).kind).toBe(
      'outcome_unknown',
    );
  });

  it('follows a door open with nobody having asked', () => {
    expect(reconcilePlan(record(), undefined, { door: 'open', itemPresent: null }, false).kind).toBe(
      'found_open',
    );
  });

  it('marks a "free" compartment whose sensor sees an item occupied (never chosen for loading)', () => {
    expect(reconcilePlan(record(), undefined, { door: 'closed', itemPresent: true }, true)).toEqual({
      kind: 'item_mismatch',
      itemPresent: true,
      state: 'occupied',
    });
    expect(
      reconcilePlan(
        record({ state: 'occupied', reservationId: 'r-1' }),
        undefined,
        { door: 'closed', itemPresent: false },
        true,
      ),
    ).toEqual({ kind: 'item_mismatch', itemPresent: false, state: 'occupied' });
  });

  it('only corrects the door of a record that agrees otherwise', () => {
    expect(
      reconcilePlan(record({ door: 'unknown' }), undefined, { door: 'closed', itemPresent: false }, true),
    ).toEqual({
      kind: 'mark_closed',
      itemPresent: false,
    });
    expect(reconcilePlan(record(), undefined, { door: 'closed', itemPresent: false }, true).kind).toBe(
      'none',
    );
  });
});
