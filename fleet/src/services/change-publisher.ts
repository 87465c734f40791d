import type { ReservationChange } from '@locker/protocol';

/** How a change reaches a locker; the MQTT link implements it. */
export interface ChangePublisher {
  sendChange(lockerId: string, change: ReservationChange): void;
}

/** What the dashboard hears about, live. */
export type LiveUpdate =
  | { kind: 'locker'; lockerId: string }
  | {
      kind: 'event';
      lockerId: string;
      type: string;
      compartment: number | null;
      reservationId: string | null;
    }
  | { kind: 'reservation'; lockerId: string; reservationId: string; state: string };
