import type { LockerEvent } from '@locker/protocol';
import type { AlarmRecord, CompartmentRecord } from '../store/locker-repo.ts';

/** What the fleet knows of one compartment from its locker's events (the locker is the authority). */
export type CompartmentState = Omit<CompartmentRecord, 'size'>;

/** A compartment the fleet has heard nothing of yet. */
export const unknownCompartment = (lockerId: string, number: number, at: string): CompartmentState => ({
  lockerId,
  number,
  state: 'free',
  door: 'unknown',
  reservationId: null,
  fault: null,
  updatedAt: at,
});

/**
 * The compartment after one of its locker's events, at `at`; `undefined` for an event about no
 * compartment. Pure: the caller reads the current state and writes the result.
 */
export function compartmentAfterEvent(
  current: CompartmentState | undefined,
  event: LockerEvent,
  at: string,
): CompartmentState | undefined {
  if (!event.compartment) return undefined;
  const next = { ...(current ?? unknownCompartment(event.lockerId, event.compartment, at)), updatedAt: at };
  switch (event.type) {
    case 'door_opened':
      return { ...next, door: 'open' };
    case 'door_closed':
      return { ...next, door: 'closed' };
    case 'loaded':
    case 'returned':
      return { ...next, door: 'closed', state: 'occupied', reservationId: event.reservationId ?? null };
    case 'picked_up':
    case 'retrieved':
    case 'load_aborted':
      return { ...next, door: 'closed', state: 'free', reservationId: null };
    case 'compartment_state':
      return typeof event.data.state === 'string' ? { ...next, state: event.data.state } : next;
    case 'fault':
      return { ...next, fault: faultCode(event) };
    default:
      return next;
  }
}

/** The alarm a fault or alarm event raises (its id is the event's: a redelivery raises nothing new). */
export function alarmFromEvent(
  event: LockerEvent,
): Omit<AlarmRecord, 'acknowledgedBy' | 'acknowledgedAt'> | undefined {
  if (event.type !== 'fault' && event.type !== 'alarm') return undefined;
  return {
    id: event.id,
    lockerId: event.lockerId,
    compartment: event.compartment ?? null,
    kind: event.type,
    code: typeof event.data.code === 'string' ? event.data.code : event.type,
    at: event.at,
  };
}

function faultCode(event: LockerEvent): string {
  return typeof event.data.code === 'string' ? event.data.code : 'fault';
}
