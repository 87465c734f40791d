import { randomUUID } from 'node:crypto';
import type { SecretBox } from '../security/secret-box.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { NotificationKind } from '../store/notification-repo.ts';
import type { ReservationRecord } from '../store/reservation-repo.ts';

/** The codes a message carries, sealed in the notification queue until it is out. */
export interface IssuedCodes {
  pin?: string;
  qr?: string;
  returnPin?: string;
}

/** Queues the citizen's messages about a reservation (inside the caller's transaction), codes sealed. */
export class ReservationNotices {
  constructor(private readonly deps: { store: FleetStore; box: SecretBox }) {}

  /** Replaces any unsent message of the same kind; nothing when the channel has no recipient. */
  queue(record: ReservationRecord, kind: NotificationKind, codes: IssuedCodes | undefined, at: string): void {
    // eBox: the municipality's connector maps the reference to the citizen (no national number is kept here)
    const recipient =
      record.channel === 'sms'
        ? record.citizenPhone
        : record.channel === 'email'
          ? record.citizenEmail
          : record.ref;
    if (!recipient) return;
    const { notifications } = this.deps.store;
    notifications.supersede(record.id, kind);
    notifications.enqueue({
      id: randomUUID(),
      reservationId: record.id,
      kind,
      channel: record.channel,
      recipient,
      language: record.language,
      secretBox: codes ? this.deps.box.seal(JSON.stringify(codes)) : null,
      nextAt: at,
      createdAt: at,
    });
  }
}
