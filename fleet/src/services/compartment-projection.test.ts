import type { EventType, LockerEvent } from '@locker/protocol';
import { describe, expect, it } from 'vitest';
import {
  alarmFromEvent,
  type CompartmentState,
  compartmentAfterEvent,
  unknownCompartment,
} from './compartment-projection.ts';

const at = '2026-11-24T10:00:00.000Z';
const later = '2026-11-24T10:05:00.000Z';

const event = (type: EventType, patch: Partial<LockerEvent> = {}): LockerEvent => ({
  v: 1,
  id: '6f1c1c7e-7c1a-4d4e-9a53-3f0d7b6f1a10',
  seq: 1,
  lockerId: 'ieper-1',
  type,
  at,
  compartment: 4,
  data: {},
  ...patch,
});

const occupied: CompartmentState = {
  lockerId: 'ieper-1',
  number: 4,
  state: 'occupied',
  door: 'closed',
  reservationId: 'r-1',
  fault: null,
  updatedAt: at,
};

describe('compartment projection', () => {
  it('starts a compartment it never heard of as free with its door unknown', () => {
    expect(compartmentAfterEvent(undefined, event('code_rejected'), later)).toEqual(
      unknownCompartment('ieper-1', 4, later),
    );
    expect(unknownCompartment('ieper-1', 4, later)).toMatchObject({ state: 'free', door: 'unknown' });
  });

  it('ignores an event about no compartment', () => {
    expect(
      compartmentAfterEvent(occupied, event('alarm', { compartment: undefined }), later),
    ).toBeUndefined();
  });

  it('follows the door without touching what is inside', () => {
    const opened = compartmentAfterEvent(occupied, event('door_opened'), later);
    expect(opened).toEqual({ ...occupied, door: 'open', updatedAt: later });
    expect(compartmentAfterEvent(opened, event('door_closed'), later)).toEqual({
      ...occupied,
      updatedAt: later,
    });
  });

  it('is occupied by the reservation loaded or returned into it, and free once it leaves', () => {
    for (const type of ['loaded', 'returned'] as const)
      expect(compartmentAfterEvent(undefined, event(type, { reservationId: 'r-2' }), later)).toMatchObject({
        state: 'occupied',
        door: 'closed',
        reservationId: 'r-2',
      });
    for (const type of ['picked_up', 'retrieved', 'load_aborted'] as const)
      expect(compartmentAfterEvent({ ...occupied, door: 'open' }, event(type), later)).toEqual({
        ...occupied,
        state: 'free',
        door: 'closed',
        reservationId: null,
        updatedAt: later,
      });
  });

  it('takes the state a locker reports, and keeps its own when the report has none', () => {
    const disabled = event('compartment_state', { data: { state: 'disabled', reason: 'broken hinge' } });
    expect(compartmentAfterEvent(occupied, disabled, later)?.state).toBe('disabled');
    expect(
      compartmentAfterEvent(occupied, event('compartment_state', { data: { state: 3 } }), later)?.state,
    ).toBe('occupied');
  });

  it('records a fault by its code, or as "fault" without one', () => {
    expect(
      compartmentAfterEvent(occupied, event('fault', { data: { code: 'DOOR_JAMMED' } }), later)?.fault,
    ).toBe('DOOR_JAMMED');
    expect(compartmentAfterEvent(occupied, event('fault'), later)?.fault).toBe('fault');
  });

  it('never changes the state it was given', () => {
    const before = structuredClone(occupied);
    compartmentAfterEvent(occupied, event('picked_up'), later);
    expect(occupied).toEqual(before);
  });
});

describe('alarms from events', () => {
  it('raises one per fault or alarm event, under the event id, with its code', () => {
    expect(alarmFromEvent(event('fault', { data: { code: 'DOOR_JAMMED' } }))).toEqual({
      id: '6f1c1c7e-7c1a-4d4e-9a53-3f0d7b6f1a10',
      lockerId: 'ieper-1',
      compartment: 4,
      kind: 'fault',
      code: 'DOOR_JAMMED',
      at,
    });
    expect(alarmFromEvent(event('alarm', { compartment: undefined }))).toMatchObject({
      kind: 'alarm',
      code: 'alarm',
      compartment: null,
    });
    expect(alarmFromEvent(event('door_opened'))).toBeUndefined();
  });
});
