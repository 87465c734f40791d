import { createHash } from 'node:crypto';
import type { ItemType } from '../domain/item-types.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { NotificationRecord } from '../store/notification-repo.ts';
import type { ReservationFilter, ReservationRecord } from '../store/reservation-repo.ts';
import { FleetError } from './fleet-errors.ts';
import type { IssuedCodes, NewReservation, ReservationService } from './reservation-service.ts';

export const idempotencyDefaults = {
  /** How long a creation's idempotency key answers with the same reservation (at least a day). */
  keepMs: 24 * 60 * 60 * 1000,
};

/** Where a reservation's newest message stands: queued, sent, failed (retrying) or given up. */
export type MessageStatus = Pick<NotificationRecord, 'kind' | 'channel' | 'state' | 'attempts' | 'lastError'>;

/** What a pickup letter shows besides the codes. */
export interface LetterContext {
  record: ReservationRecord;
  codes: IssuedCodes;
  itemName: string;
  lockerName: string;
  address: string;
}

/**
 * The desk's side of reservations: what the HTTP routes read and change, over the reservation
 * service (transitions, codes) and the store (lists, messages, item types), so that routes never
 * reach into the store.
 */
export class ReservationDesk {
  constructor(
    private readonly deps: {
      store: FleetStore;
      reservations: ReservationService;
      /** Sends what is due now (the codes after a resend). */
      sendDue: () => Promise<void>;
      now?: () => number;
    },
  ) {}

  /**
   * Creates a reservation; with an idempotency key, the same caller sending the same key and body
   * again gets the reservation made the first time, and the same key with another body is refused.
   */
  create(
    input: NewReservation,
    actor: string,
    idempotency?: { principal: string; key: string },
  ): ReservationRecord {
    const { store, reservations } = this.deps;
    if (!idempotency) return reservations.create(input, actor);
    const now = this.deps.now?.() ?? Date.now();
    store.idempotency.purgeBefore(new Date(now - idempotencyDefaults.keepMs).toISOString());
    const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const earlier = store.idempotency.find(idempotency.principal, idempotency.key);
    if (!earlier) return reservations.create(input, actor, { ...idempotency, requestHash });
    if (earlier.requestHash !== requestHash)
      throw new FleetError(
        'IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key ${idempotency.key} already created reservation ${earlier.reservationId} with another body`,
      );
    return reservations.get(earlier.reservationId);
  }

  find(id: string): ReservationRecord | undefined {
    return this.deps.store.reservations.get(id);
  }

  /** Reservations with the state of each one's newest message (`null`: none yet). */
  list(filter: ReservationFilter): (ReservationRecord & { message: MessageStatus | null })[] {
    const { store } = this.deps;
    const records = store.reservations.list(filter);
    const latest = store.notifications.latestFor(records.map((r) => r.id));
    return records.map((r) => {
      const n = latest.get(r.id);
      return {
        ...r,
        message: n
          ? { kind: n.kind, channel: n.channel, state: n.state, attempts: n.attempts, lastError: n.lastError }
          : null,
      };
    });
  }

  /** The messages sent (or queued) for a reservation, without the sealed codes. */
  messages(id: string): Omit<NotificationRecord, 'secretBox'>[] {
    return this.deps.store.notifications.forReservation(id).map(({ secretBox: _s, ...n }) => n);
  }

  cancel(id: string, actor: string, reason: string): ReservationRecord {
    return this.deps.reservations.cancel(id, actor, reason);
  }

  /** New codes, sent right away. */
  async resend(id: string, actor: string): Promise<ReservationRecord> {
    const record = this.deps.reservations.resend(id, actor);
    await this.deps.sendDue();
    return record;
  }

  /** New codes for a printed letter, with where and what. */
  letter(id: string, actor: string): LetterContext {
    const { store, reservations } = this.deps;
    const codes = reservations.letterCodes(id, actor);
    const record = reservations.get(id);
    const locker = store.lockers.get(record.lockerId);
    const site = locker?.siteId ? store.directory.site(locker.siteId) : undefined;
    return {
      record,
      codes,
      itemName: store.directory.itemType(record.itemType)?.names[record.language] ?? record.itemType,
      lockerName: locker?.name ?? record.lockerId,
      address: site?.address ?? '',
    };
  }

  itemTypes(): ItemType[] {
    return this.deps.store.directory.itemTypes();
  }

  /** Adds or changes an item type and its policy (audited). */
  putItemType(itemType: ItemType, actor: string): ItemType {
    const { store } = this.deps;
    store.transaction(() => {
      store.directory.upsertItemType(itemType);
      store.audit.append({
        actor,
        action: 'item_type.put',
        municipalityId: null,
        target: itemType.id,
        data: itemType,
      });
    });
    return itemType;
  }
}
