import type { EventType, ReservationState } from '@locker/protocol';
import type { CompartmentStatus, UnlockPurpose } from '../store/store-types.ts';

export interface CloseOutcome {
  compartment: CompartmentStatus;
  /** The reservation's new state; null: unchanged. */
  reservation: ReservationState | null;
  /** Keep the compartment linked to the reservation. */
  keepLink: boolean;
  event: EventType;
  /** What the screen says once the door is closed. */
  screen:
    | 'picked_up'
    | 'item_left'
    | 'loaded'
    | 'load_empty'
    | 'returned'
    | 'return_empty'
    | 'retrieved'
    | 'closed';
}

/**
 * What a closed door means, by why it was opened and what the item sensor sees (null: no
 * sensor, the person's action is taken as done). The device is the authority on contents.
 */
export function closeOutcome(
  purpose: UnlockPurpose,
  itemPresent: boolean | null,
  previous: CompartmentStatus,
): CloseOutcome {
  const present = itemPresent ?? null;
  switch (purpose) {
    case 'load':
      return present === false
        ? {
            compartment: 'free',
            reservation: 'ready_to_load',
            keepLink: false,
            event: 'load_aborted',
            screen: 'load_empty',
          }
        : {
            compartment: 'occupied',
            reservation: 'loaded',
            keepLink: true,
            event: 'loaded',
            screen: 'loaded',
          };
    case 'pickup':
      return present === true
        ? {
            compartment: 'occupied',
            reservation: null,
            keepLink: true,
            event: 'door_closed',
            screen: 'item_left',
          }
        : {
            compartment: 'free',
            reservation: 'picked_up',
            keepLink: false,
            event: 'picked_up',
            screen: 'picked_up',
          };
    case 'return':
      return present === false
        ? {
            compartment: 'free',
            reservation: null,
            keepLink: false,
            event: 'door_closed',
            screen: 'return_empty',
          }
        : {
            compartment: 'occupied',
            reservation: 'returned',
            keepLink: true,
            event: 'returned',
            screen: 'returned',
          };
    case 'retrieve':
      return present === true
        ? {
            compartment: 'occupied',
            reservation: null,
            keepLink: true,
            event: 'door_closed',
            screen: 'item_left',
          }
        : {
            compartment: 'free',
            reservation: 'retrieved',
            keepLink: false,
            event: 'retrieved',
            screen: 'retrieved',
          };
    case 'remote':
    case 'service':
      // Opened for staff or IT: contents are theirs to judge; a sensor that disagrees is reported by reconciliation.
      return {
        compartment: previous,
        reservation: null,
        keepLink: true,
        event: 'door_closed',
        screen: 'closed',
      };
  }
}

export interface DoorOpenTiming {
  reminderMs: number;
  alarmMs: number;
}

export const defaultDoorOpenTiming: DoorOpenTiming = { reminderMs: 30_000, alarmMs: 120_000 };

/** A door left open: first a reminder on screen and a tone, later an alarm to the fleet. */
export function doorLeftOpen(
  openedAt: number,
  now: number,
  done: { reminded: boolean; alarmed: boolean },
  timing: DoorOpenTiming,
): 'remind' | 'alarm' | null {
  const openFor = now - openedAt;
  if (!done.alarmed && openFor >= timing.alarmMs) return 'alarm';
  if (!done.reminded && openFor >= timing.reminderMs) return 'remind';
  return null;
}
