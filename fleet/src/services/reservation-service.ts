import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { LockerEvent, Reservation, ReservationChange } from '@locker/protocol';
import type { Logger } from 'pino';
import { fitsSomeCompartment } from '../domain/compartment-fit.ts';
import type { Language } from '../domain/item-types.ts';
import { canCancel, canNotify } from '../domain/reservation-lifecycle.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { IdempotencyRecord } from '../store/idempotency-repo.ts';
import type { Channel, ReservationRecord } from '../store/reservation-repo.ts';
import { ChangeCommit } from './change-commit.ts';
import { ChangeLog } from './change-log.ts';
import type { ChangePublisher, LiveUpdate } from './change-publisher.ts';
import { CodeIssuer } from './code-issuer.ts';
import { daysAfter } from './days.ts';
import { EventIngest } from './event-ingest.ts';
import { FleetError, notFound } from './fleet-errors.ts';
import type { LockerRegistry } from './locker-registry.ts';
import { ReservationCodes } from './reservation-codes.ts';
import { type IssuedCodes, ReservationNotices } from './reservation-notices.ts';
import { ReservationSchedule } from './reservation-schedule.ts';

export type { IssuedCodes } from './reservation-notices.ts';

/** A created reservation waits this many days past its item type's pickup period to be loaded. */
const loadWithinDays = 14;

export interface NewReservation {
  lockerId: string;
  itemType: string;
  citizen: { name: string; email?: string; phone?: string; language: Language; channel: Channel };
}

/** The caller's idempotency key of a creation and the hash of what it asked. */
export type IdempotencyClaim = Omit<IdempotencyRecord, 'reservationId' | 'createdAt'>;

/**
 * Reservations through their lifecycle, as the desk, the notifier and the link see them: created
 * at the desk and sent to the locker by version, moved on by what the locker reports
 * ({@link EventIngest}), codes issued when the item is in the locker ({@link ReservationCodes}),
 * expiry, overdue and reminders on a schedule ({@link ReservationSchedule}). Every write reaches
 * the lockers and the dashboard through one {@link ChangeCommit}.
 */
export class ReservationService extends EventEmitter<{ live: [LiveUpdate] }> {
  private readonly commit: ChangeCommit;
  private readonly changeLog: ChangeLog;
  private readonly codes: ReservationCodes;
  private readonly ingest: EventIngest;
  private readonly schedule: ReservationSchedule;

  constructor(
    private readonly deps: {
      store: FleetStore;
      registry: LockerRegistry;
      box: SecretBox;
      publisher: ChangePublisher;
      logger: Logger;
      now?: () => number;
      /** The PIN source (tests inject collisions). */
      randomPin?: () => string;
    },
  ) {
    super();
    const { store } = deps;
    const now = () => this.now();
    this.commit = new ChangeCommit({ store, publisher: deps.publisher, live: (u) => this.emit('live', u) });
    this.changeLog = new ChangeLog({ store, now });
    const notices = new ReservationNotices({ store, box: deps.box });
    const issuer = new CodeIssuer({
      store,
      registry: deps.registry,
      ...(deps.randomPin ? { randomPin: deps.randomPin } : {}),
    });
    this.codes = new ReservationCodes({ store, issuer, notices, changeLog: this.changeLog });
    this.ingest = new EventIngest({
      store,
      commit: this.commit,
      changeLog: this.changeLog,
      codes: this.codes,
      now,
    });
    this.schedule = new ReservationSchedule({
      store,
      commit: this.commit,
      changeLog: this.changeLog,
      notices,
      now,
    });
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /**
   * Creates a reservation; with `claim`, records its idempotency key in the same commit, so that a
   * crash never leaves a reservation whose key was not kept.
   */
  create(input: NewReservation, actor: string, claim?: IdempotencyClaim): ReservationRecord {
    const { store } = this.deps;
    const locker = store.lockers.get(input.lockerId);
    if (!locker) throw notFound(`locker ${input.lockerId}`);
    if (locker.decommissionedAt)
      throw new FleetError('LOCKER_DECOMMISSIONED', `locker ${input.lockerId} is decommissioned`);
    const type = store.directory.itemType(input.itemType);
    if (!type) throw new FleetError('ITEM_TYPE_UNKNOWN', `item type ${input.itemType} is not configured`);
    if (!fitsSomeCompartment(type.size, store.lockers.compartments(locker.id)))
      throw new FleetError(
        'ITEM_DOES_NOT_FIT',
        `${type.id} (size ${type.size}) fits no compartment in service at locker ${locker.id}`,
      );
    const { citizen } = input;
    if (citizen.channel === 'email' && !citizen.email)
      throw new FleetError('CONTACT_MISSING', 'the e-mail channel needs citizen.email');
    if (citizen.channel === 'sms' && !citizen.phone)
      throw new FleetError('CONTACT_MISSING', 'the SMS channel needs citizen.phone');
    if (type.twoFactor && (!citizen.phone || citizen.channel === 'sms'))
      throw new FleetError(
        'SECOND_CHANNEL_MISSING',
        `${type.id} needs two factors over two channels: the QR by e-mail or eBox, the PIN by SMS to citizen.phone`,
      );
    const at = this.iso();
    const record: Omit<ReservationRecord, 'overdue' | 'reminded'> = {
      id: randomUUID(),
      ref: `${locker.municipalityId.slice(0, 3).toUpperCase()}-${randomBytes(4).toString('hex').toUpperCase()}`,
      municipalityId: locker.municipalityId,
      lockerId: locker.id,
      itemType: type.id,
      state: 'ready_to_load',
      citizenName: citizen.name,
      citizenEmail: citizen.email ?? null,
      citizenPhone: citizen.phone ?? null,
      language: citizen.language,
      channel: citizen.channel,
      pinHash: null,
      qrHash: null,
      returnPinHash: null,
      compartment: null,
      expiresAt: daysAfter(this.now(), type.daysToCollect + loadWithinDays),
      dueAt: null,
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
    };
    this.commit.commitAndPublish((out) => {
      store.reservations.insert(record);
      if (claim) store.idempotency.insert({ ...claim, reservationId: record.id, createdAt: at });
      store.audit.append({
        actor,
        action: 'reservation.create',
        municipalityId: record.municipalityId,
        target: record.id,
        data: { ref: record.ref, lockerId: record.lockerId, itemType: record.itemType },
      });
      out.publish(this.changeLog.upsert(record.id, at));
      out.live({
        kind: 'reservation',
        lockerId: record.lockerId,
        reservationId: record.id,
        state: record.state,
      });
    });
    return this.get(record.id);
  }

  get(id: string): ReservationRecord {
    const record = this.deps.store.reservations.get(id);
    if (!record) throw notFound(`reservation ${id}`);
    return record;
  }

  cancel(id: string, actor: string, reason: string): ReservationRecord {
    const { store } = this.deps;
    const record = this.get(id);
    if (!canCancel(record.state))
      throw new FleetError(
        'RESERVATION_NOT_CANCELLABLE',
        `a reservation in state ${record.state} cannot be cancelled`,
      );
    const at = this.iso();
    this.commit.commitAndPublish((out) => {
      store.reservations.update(id, { state: 'cancelled' }, at);
      store.audit.append({
        actor,
        action: 'reservation.cancel',
        municipalityId: record.municipalityId,
        target: id,
        data: { reason },
      });
      // the locker keeps it (as cancelled) only while its item is still inside, for staff to retrieve
      out.publish(this.changeLog.remove(id, at));
      out.live({ kind: 'reservation', lockerId: record.lockerId, reservationId: id, state: 'cancelled' });
    });
    return this.get(id);
  }

  /** New codes (the old ones stop working) sent again; the fleet never kept the old ones. */
  resend(id: string, actor: string): ReservationRecord {
    const record = this.waiting(id, 'codes are sent');
    const at = this.iso();
    this.commit.commitAndPublish((out) => {
      this.audit(record, actor, 'reservation.resend');
      out.publish(this.codes.send(record, at));
    });
    return this.get(id);
  }

  /** Issues fresh codes for a printed pickup letter; returns them once, for the letter only. */
  letterCodes(id: string, actor: string): IssuedCodes {
    const record = this.waiting(id, 'a pickup letter is printed');
    const at = this.iso();
    return this.commit.commitAndPublish((out) => {
      this.audit(record, actor, 'reservation.print_letter');
      const { codes, logged } = this.codes.forLetter(record, at);
      out.publish(logged);
      return codes;
    });
  }

  /** Applies one locker event, once: a redelivered id changes nothing. */
  applyEvent(event: LockerEvent): 'applied' | 'duplicate' {
    return this.ingest.apply(event);
  }

  /** Expiry, overdue loans and reminders; run on a schedule. Returns how many reservations moved. */
  tick(): number {
    return this.schedule.tick();
  }

  /** The reservation as its locker sees it: codes only as keyed hashes, no personal data. */
  toLocker(record: ReservationRecord): Reservation {
    return this.changeLog.toLocker(record);
  }

  /**
   * Everything a locker should hold, as one change above `aboveVersion`, logged; the link sends it
   * to the one locker that asked.
   */
  snapshotFor(lockerId: string, aboveVersion: number): ReservationChange {
    const at = this.iso();
    return this.deps.store.transaction(() => this.changeLog.snapshot(lockerId, aboveVersion, at));
  }

  /** Marks a reservation notified once its codes message went out. */
  markNotified(id: string): void {
    const record = this.deps.store.reservations.get(id);
    if (record?.state !== 'loaded') return;
    const at = this.iso();
    this.commit.commitAndPublish((out) => {
      this.deps.store.reservations.update(id, { state: 'notified' }, at);
      out.publish(this.changeLog.upsert(id, at));
      out.live({ kind: 'reservation', lockerId: record.lockerId, reservationId: id, state: 'notified' });
    });
  }

  /** The reservation, when its item waits in the locker (codes can be issued for it). */
  private waiting(id: string, what: string): ReservationRecord {
    const record = this.get(id);
    if (!canNotify(record.state))
      throw new FleetError(
        'RESERVATION_NOT_WAITING',
        `${what} only while the item waits in the locker (state ${record.state})`,
      );
    return record;
  }

  private audit(record: ReservationRecord, actor: string, action: string): void {
    this.deps.store.audit.append({
      actor,
      action,
      municipalityId: record.municipalityId,
      target: record.id,
      data: {},
    });
  }
}
