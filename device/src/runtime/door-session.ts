import type { Actor } from '@locker/protocol';
import type { CompartmentStatus, PendingUnlock, UnlockPurpose } from '../store/store-types.ts';

/** One door from its unlock (or its opening, seen) to its close being written. */
export interface Session {
  purpose: UnlockPurpose;
  reservationId: string | null;
  actor: Actor;
  /** Monotonic ms when the door was seen open: a stepped wall clock moves no reminder or alarm. */
  openedAt: number | null;
  reminded: boolean;
  alarmed: boolean;
  /** Records of what was seen (the door opened) that the disk refused at the time; written with the close. */
  unsaved: (() => void)[];
  /** The door was seen closed: from then on later door events leave this session alone. */
  closing: boolean;
  /** What the item sensor read at the close; set until the close is written (the tick retries it). */
  closed: { itemPresent: boolean | null } | null;
}

const actorOf = (p: PendingUnlock): Actor => ({
  kind: p.actorKind,
  ...(p.actorId ? { id: p.actorId } : {}),
});

export const newSession = (
  purpose: UnlockPurpose,
  reservationId: string | null,
  actor: Actor,
  openedAt: number | null,
): Session => ({
  purpose,
  reservationId,
  actor,
  openedAt,
  reminded: false,
  alarmed: false,
  unsaved: [],
  closing: false,
  closed: null,
});

export const resumedSession = (pending: PendingUnlock, now: number): Session =>
  newSession(pending.purpose, pending.reservationId, actorOf(pending), now);

export const pendingOf = (compartment: number, session: Session, startedAt: string): PendingUnlock => ({
  compartment,
  purpose: session.purpose,
  reservationId: session.reservationId,
  actorKind: session.actor.kind,
  actorId: session.actor.id ?? null,
  startedAt,
  opened: session.openedAt !== null,
});

/** What a compartment was before its door opened, for the close outcome of remote and service openings. */
export function previousStatus(
  state: CompartmentStatus | undefined,
  reservationId: string | null,
  disabledReason: string | null,
  fault: string | null,
): CompartmentStatus {
  if (disabledReason) return 'disabled';
  if (fault) return 'fault';
  if (state && state !== 'open') return state;
  return reservationId ? 'occupied' : 'free';
}
