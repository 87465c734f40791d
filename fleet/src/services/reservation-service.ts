import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { LockerEvent, Reservation, ReservationChange } from '@locker/protocol';
import type { Logger } from 'pino';
import type { Language } from '../domain/item-types.ts';
import {
  canCancel,
  canNotify,
  scheduledTransition,
  stateAfterEvent,
} from '../domain/reservation-lifecycle.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { ChangeBody } from '../store/locker-repo.ts';
import type { NotificationKind } from '../store/notification-repo.ts';
import type { Channel, ReservationRecord } from '../store/reservation-repo.ts';
import type { ChangePublisher, LiveUpdate } from './change-publisher.ts';
import { CodeIssuer } from './code-issuer.ts';
import { FleetError, notFound } from './fleet-errors.ts';
import type { LockerRegistry } from './locker-registry.ts';

const day = 86_400_000;

/** Picked up (a document: a loan still comes back) or retrieved: nothing more to open with its codes. */
const finished = (state: ReservationRecord['state'], kind: 'document' | 'loan' | undefined) =>
  state === 'retrieved' || (state === 'picked_up' && kind !== 'loan');

export interface NewReservation {
  lockerId: string;
  itemType: string;
  citizen: { name: string; email?: string; phone?: string; language: Language; channel: Channel };
}

/** The codes a message carries, sealed in the notification queue until it is out. */
export interface IssuedCodes {
  pin?: string;
  qr?: string;
  returnPin?: string;
}

/**
 * Reservations through their lifecycle: created at the desk, sent to the locker by version,
 * moved on by what the locker reports (each event once), codes issued when the item is in the
 * locker (only keyed hashes kept), notifications queued, expiry and overdue on a schedule.
 */
export class ReservationService extends EventEmitter<{ live: [LiveUpdate] }> {
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
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  create(input: NewReservation, actor: string): ReservationRecord {
    const { store } = this.deps;
    const locker = store.lockers.get(input.lockerId);
    if (!locker) throw notFound(`locker ${input.lockerId}`);
    if (locker.decommissionedAt)
      throw new FleetError('LOCKER_DECOMMISSIONED', `locker ${input.lockerId} is decommissioned`);
    const type = store.directory.itemType(input.itemType);
    if (!type) throw new FleetError('ITEM_TYPE_UNKNOWN', `item type ${input.itemType} is not configured`);
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
    const at = new Date(this.now()).toISOString();
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
      expiresAt: new Date(this.now() + (type.daysToCollect + 14) * day).toISOString(),
      dueAt: null,
      createdBy: actor,
      createdAt: at,
      updatedAt: at,
    };
    const change = store.transaction(() => {
      store.reservations.insert(record);
      store.audit.append({
        actor,
        action: 'reservation.create',
        municipalityId: record.municipalityId,
        target: record.id,
        data: { ref: record.ref, lockerId: record.lockerId, itemType: record.itemType },
      });
      return this.appendUpsert(record.id, at);
    });
    this.deps.publisher.sendChange(record.lockerId, change);
    this.live({
      kind: 'reservation',
      lockerId: record.lockerId,
      reservationId: record.id,
      state: record.state,
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
    const at = new Date(this.now()).toISOString();
    const change = store.transaction(() => {
      store.reservations.update(id, { state: 'cancelled' }, at);
      store.audit.append({
        actor,
        action: 'reservation.cancel',
        municipalityId: record.municipalityId,
        target: id,
        data: { reason },
      });
      // the locker keeps it (as cancelled) only while its item is still inside, for staff to retrieve
      return this.appendRemove(id, at);
    });
    this.deps.publisher.sendChange(record.lockerId, change);
    this.live({ kind: 'reservation', lockerId: record.lockerId, reservationId: id, state: 'cancelled' });
    return this.get(id);
  }

  /** New codes (the old ones stop working) sent again; the fleet never kept the old ones. */
  resend(id: string, actor: string): ReservationRecord {
    const record = this.get(id);
    if (!canNotify(record.state))
      throw new FleetError(
        'RESERVATION_NOT_WAITING',
        `codes are sent only while the item waits in the locker (state ${record.state})`,
      );
    const change = this.deps.store.transaction(() => {
      this.deps.store.audit.append({
        actor,
        action: 'reservation.resend',
        municipalityId: record.municipalityId,
        target: id,
        data: {},
      });
      return this.issueCodes(record);
    });
    this.deps.publisher.sendChange(record.lockerId, change);
    return this.get(id);
  }

  /** Issues fresh codes for a printed pickup letter; returns them once, for the letter only. */
  letterCodes(id: string, actor: string): IssuedCodes {
    const record = this.get(id);
    if (!canNotify(record.state))
      throw new FleetError(
        'RESERVATION_NOT_WAITING',
        `a pickup letter is printed only while the item waits in the locker (state ${record.state})`,
      );
    let codes: IssuedCodes = {};
    const change = this.deps.store.transaction(() => {
      this.deps.store.audit.append({
        actor,
        action: 'reservation.print_letter',
        municipalityId: record.municipalityId,
        target: id,
        data: {},
      });
      return this.issueCodes(record, (issued) => {
        codes = issued;
      });
    });
    this.deps.publisher.sendChange(record.lockerId, change);
    return codes;
  }

  /** Applies one locker event, once: a redelivered id changes nothing. */
  applyEvent(event: LockerEvent): 'applied' | 'duplicate' {
    const { store } = this.deps;
    const at = new Date(this.now()).toISOString();
    const changes: { lockerId: string; change: ReturnType<ReservationService['appendUpsert']> }[] = [];
    const fresh = store.transaction(() => {
      if (!store.events.insertIfNew(event, at)) return false;
      store.lockers.setLastSeq(event.lockerId, event.seq);
      this.trackCompartment(event, at);
      const record = event.reservationId ? store.reservations.get(event.reservationId) : undefined;
      if (record && record.lockerId === event.lockerId) {
        const change = this.advance(record, event, at);
        if (change) changes.push({ lockerId: record.lockerId, change });
      }
      return true;
    });
    if (!fresh) return 'duplicate';
    for (const { lockerId, change } of changes) this.deps.publisher.sendChange(lockerId, change);
    this.live({
      kind: 'event',
      lockerId: event.lockerId,
      type: event.type,
      compartment: event.compartment ?? null,
      reservationId: event.reservationId ?? null,
    });
    return 'applied';
  }

  /** Expiry, overdue loans and reminders; run on a schedule. Returns how many reservations moved. */
  tick(): number {
    const { store } = this.deps;
    const now = this.now();
    const at = new Date(now).toISOString();
    let moved = 0;
    for (const record of store.reservations.active()) {
      const step = scheduledTransition(record, now);
      const change = store.transaction(() => {
        if (step === 'expire') {
          store.reservations.update(record.id, { state: 'expired' }, at);
          store.audit.append({
            actor: 'system',
            action: 'reservation.expire',
            municipalityId: record.municipalityId,
            target: record.id,
            data: {},
          });
          return this.appendUpsert(record.id, at);
        }
        if (step === 'overdue' && !record.overdue) {
          store.reservations.update(record.id, { overdue: true }, at);
          this.queue(record, 'overdue', undefined, at);
          return undefined;
        }
        const deadline = record.state === 'picked_up' ? record.dueAt : record.expiresAt;
        if (!record.reminded && deadline && Date.parse(deadline) - day <= now && Date.parse(deadline) > now) {
          store.reservations.update(record.id, { reminded: true }, at);
          this.queue(
            record,
            record.state === 'picked_up' ? 'return_reminder' : 'expiry_reminder',
            undefined,
            at,
          );
        }
        return undefined;
      });
      if (change) {
        moved++;
        this.deps.publisher.sendChange(record.lockerId, change);
        this.live({
          kind: 'reservation',
          lockerId: record.lockerId,
          reservationId: record.id,
          state: 'expired',
        });
      }
    }
    return moved;
  }

  /** The reservation as its locker sees it: codes only as keyed hashes, no personal data. */
  toLocker(record: ReservationRecord): Reservation {
    const type = this.deps.store.directory.itemType(record.itemType);
    if (!type) throw new FleetError('ITEM_TYPE_UNKNOWN', `item type ${record.itemType} is not configured`);
    return {
      id: record.id,
      label: record.ref,
      itemType: record.itemType,
      kind: type.kind,
      size: type.size,
      state: record.state,
      twoFactor: type.twoFactor,
      expiresAt: record.expiresAt ?? new Date(this.now() + 30 * day).toISOString(),
      ...(record.pinHash ? { pinHash: record.pinHash } : {}),
      ...(record.qrHash ? { qrHash: record.qrHash } : {}),
      ...(record.returnPinHash ? { returnPinHash: record.returnPinHash } : {}),
      ...(record.dueAt ? { dueAt: record.dueAt } : {}),
    };
  }

  /**
   * Everything a locker should hold, as one change above `aboveVersion`: for a locker far behind
   * (a replaced locker PC) or ahead (the fleet restored from a backup) of the change log.
   */
  snapshotFor(lockerId: string, aboveVersion: number): ReservationChange {
    const { store } = this.deps;
    const at = new Date(this.now()).toISOString();
    const reservations = store.reservations
      .list({
        municipalities: 'all',
        lockerId,
        states: ['ready_to_load', 'loaded', 'notified', 'picked_up', 'due', 'returned', 'expired'],
        limit: 10_000,
      })
      .map((r) => this.toLocker(r))
      .filter((r) => r.state !== 'picked_up' || r.kind === 'loan');
    const staff = store.users.staffPins(lockerId).map((s) => ({
      id: s.userId,
      display: s.display.slice(0, 40),
      role: s.role === 'desk' ? ('desk' as const) : ('it' as const),
      pinHash: s.pinHash,
    }));
    return store.transaction(() =>
      store.lockers.appendChange(lockerId, { kind: 'snapshot', reservations, staff }, at, aboveVersion + 1),
    );
  }

  /** Marks a reservation notified once its codes message went out. */
  markNotified(id: string): void {
    const record = this.deps.store.reservations.get(id);
    if (record?.state !== 'loaded') return;
    const at = new Date(this.now()).toISOString();
    const change = this.deps.store.transaction(() => {
      this.deps.store.reservations.update(id, { state: 'notified' }, at);
      return this.appendUpsert(id, at);
    });
    this.deps.publisher.sendChange(record.lockerId, change);
    this.live({ kind: 'reservation', lockerId: record.lockerId, reservationId: id, state: 'notified' });
  }

  private advance(record: ReservationRecord, event: LockerEvent, at: string) {
    const { store } = this.deps;
    const next = stateAfterEvent(record.state, event.type);
    if (!next || next.state === record.state) return undefined;
    if (next.conflict)
      store.audit.append({
        actor: `locker:${event.lockerId}`,
        action: 'reservation.conflict',
        municipalityId: record.municipalityId,
        target: record.id,
        data: { fleetState: record.state, event: event.type, eventId: event.id },
      });
    const compartment = event.compartment ?? record.compartment;
    store.reservations.update(record.id, { state: next.state, compartment }, at);
    this.live({
      kind: 'reservation',
      lockerId: record.lockerId,
      reservationId: record.id,
      state: next.state,
    });
    if (next.state === 'loaded') {
      const type = store.directory.itemType(record.itemType);
      store.reservations.update(
        record.id,
        { expiresAt: new Date(this.now() + (type?.daysToCollect ?? 14) * day).toISOString() },
        at,
      );
      return this.issueCodes({ ...record, state: 'loaded' });
    }
    if (finished(next.state, store.directory.itemType(record.itemType)?.kind)) return this.finish(record, at);
    if (next.state === 'picked_up') {
      const type = store.directory.itemType(record.itemType);
      if (type?.kind === 'loan' && type.daysToReturn) {
        store.reservations.update(
          record.id,
          { dueAt: new Date(this.now() + type.daysToReturn * day).toISOString(), reminded: false },
          at,
        );
        return this.appendUpsert(record.id, at);
      }
      return undefined;
    }
    return next.state === 'ready_to_load' ? this.appendUpsert(record.id, at) : undefined;
  }

  /** Inside a transaction: new codes, their hashes stored, the messages queued (codes sealed). */
  private issueCodes(record: ReservationRecord, letter?: (codes: IssuedCodes) => void) {
    const { store, registry } = this.deps;
    const at = new Date(this.now()).toISOString();
    const type = store.directory.itemType(record.itemType);
    const issuer = new CodeIssuer({
      store,
      registry,
      ...(this.deps.randomPin ? { randomPin: this.deps.randomPin } : {}),
    });
    const { pin, pinHash, qr, qrHash, returnPin, returnPinHash } = issuer.issue(
      record.lockerId,
      type?.kind === 'loan',
    );
    store.reservations.update(
      record.id,
      { pinHash, qrHash, ...(returnPinHash ? { returnPinHash } : {}) },
      at,
    );
    if (letter) letter({ pin, qr, ...(returnPin ? { returnPin } : {}) });
    else if (type?.twoFactor) {
      // two factors over two channels: the QR in the main message, the PIN by SMS
      this.queue(record, 'ready', { qr, ...(returnPin ? { returnPin } : {}) }, at);
      this.queue({ ...record, channel: 'sms' }, 'pin', { pin }, at);
    } else this.queue(record, 'ready', { pin, qr, ...(returnPin ? { returnPin } : {}) }, at);
    return this.appendUpsert(record.id, at);
  }

  private queue(
    record: ReservationRecord,
    kind: NotificationKind,
    codes: IssuedCodes | undefined,
    at: string,
  ): void {
    // eBox: the municipality's connector maps the reference to the citizen (no national number is kept here)
    const recipient =
      record.channel === 'sms'
        ? record.citizenPhone
        : record.channel === 'email'
          ? record.citizenEmail
          : record.ref;
    if (!recipient) return;
    this.deps.store.notifications.supersede(record.id, kind);
    this.deps.store.notifications.enqueue({
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

  /** A finished reservation leaves its locker, and its codes leave the set its new PINs must avoid. */
  private finish(record: ReservationRecord, at: string) {
    this.deps.store.reservations.update(record.id, { pinHash: null, qrHash: null, returnPinHash: null }, at);
    return this.appendRemove(record.id, at);
  }

  private appendRemove(id: string, at: string) {
    const record = this.get(id);
    return this.deps.store.lockers.appendChange(record.lockerId, { kind: 'remove', reservationId: id }, at);
  }

  private appendUpsert(id: string, at: string) {
    const record = this.get(id);
    const body: ChangeBody = { kind: 'upsert', reservation: this.toLocker(record) };
    return this.deps.store.lockers.appendChange(record.lockerId, body, at);
  }

  private trackCompartment(event: LockerEvent, at: string): void {
    const { store } = this.deps;
    if (event.type === 'fault' || event.type === 'alarm') {
      const code = typeof event.data.code === 'string' ? event.data.code : event.type;
      store.lockers.insertAlarm({
        id: event.id,
        lockerId: event.lockerId,
        compartment: event.compartment ?? null,
        kind: event.type,
        code,
        at: event.at,
      });
    }
    if (!event.compartment) return;
    const current = store.lockers.compartment(event.lockerId, event.compartment) ?? {
      lockerId: event.lockerId,
      number: event.compartment,
      state: 'free',
      door: 'unknown',
      reservationId: null,
      fault: null,
      updatedAt: at,
    };
    const next = { ...current, updatedAt: at };
    const reservationId = event.reservationId ?? null;
    switch (event.type) {
      case 'door_opened':
        Object.assign(next, { door: 'open' });
        break;
      case 'door_closed':
        Object.assign(next, { door: 'closed' });
        break;
      case 'loaded':
      case 'returned':
        Object.assign(next, { door: 'closed', state: 'occupied', reservationId });
        break;
      case 'picked_up':
      case 'retrieved':
      case 'load_aborted':
        Object.assign(next, { door: 'closed', state: 'free', reservationId: null });
        break;
      case 'compartment_state':
        if (typeof event.data.state === 'string') Object.assign(next, { state: event.data.state });
        break;
      case 'fault':
        Object.assign(next, { fault: typeof event.data.code === 'string' ? event.data.code : 'fault' });
        break;
      default:
        break;
    }
    store.lockers.upsertCompartment(next);
  }

  private live(update: LiveUpdate): void {
    this.emit('live', update);
  }
}
