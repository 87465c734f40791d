import type { Reservation, ReservationState, SizeClass, StaffCredential } from '@locker/protocol';

export type CompartmentStatus = 'free' | 'reserved' | 'occupied' | 'open' | 'fault' | 'disabled';

/** What the device knows of one compartment; the device is the authority on what is inside. */
export interface CompartmentRecord {
  number: number;
  state: CompartmentStatus;
  reservationId: string | null;
  door: 'open' | 'closed' | 'unknown';
  itemPresent: boolean | null;
  opens: number;
  fault: string | null;
  disabledReason: string | null;
  updatedAt: string;
}

export interface ReservationRecord
  extends Omit<Reservation, 'pinHash' | 'qrHash' | 'returnPinHash' | 'dueAt'> {
  pinHash: string | null;
  qrHash: string | null;
  returnPinHash: string | null;
  dueAt: string | null;
  compartment: number | null;
  updatedAt: string;
}

export type UnlockPurpose = 'load' | 'pickup' | 'return' | 'retrieve' | 'remote' | 'service';

/** A door session: written before the unlock command goes out, cleared when the door is closed again. Survives a crash. */
export interface PendingUnlock {
  compartment: number;
  purpose: UnlockPurpose;
  reservationId: string | null;
  actorKind: 'citizen' | 'staff' | 'fleet' | 'system';
  actorId: string | null;
  startedAt: string;
  /** The door was seen open: what remains is to see it closed. */
  opened: boolean;
}

export type { ReservationState, SizeClass, StaffCredential };
