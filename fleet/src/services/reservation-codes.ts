import type { FleetStore } from '../store/fleet-store.ts';
import type { ReservationRecord } from '../store/reservation-repo.ts';
import type { LoggedChange } from './change-commit.ts';
import type { ChangeLog } from './change-log.ts';
import type { CodeIssuer } from './code-issuer.ts';
import type { IssuedCodes, ReservationNotices } from './reservation-notices.ts';

/**
 * Fresh codes for a reservation waiting in its locker (the old ones stop working): only their
 * keyed hashes are stored, the codes themselves go sealed to the citizen's messages or, for a
 * printed letter, to the caller once. Runs inside the caller's transaction.
 */
export class ReservationCodes {
  constructor(
    private readonly deps: {
      store: FleetStore;
      issuer: CodeIssuer;
      notices: ReservationNotices;
      changeLog: ChangeLog;
    },
  ) {}

  /** Codes sent to the citizen: two factors over two channels, the QR in the main message and the PIN by SMS. */
  send(record: ReservationRecord, at: string): LoggedChange {
    const { codes, twoFactor } = this.issue(record, at);
    const { pin, ...rest } = codes;
    const { notices } = this.deps;
    if (twoFactor) {
      notices.queue(record, 'ready', rest, at);
      notices.queue({ ...record, channel: 'sms' }, 'pin', { pin }, at);
    } else notices.queue(record, 'ready', codes, at);
    return this.deps.changeLog.upsert(record.id, at);
  }

  /** Codes for a printed pickup letter, returned once. */
  forLetter(record: ReservationRecord, at: string): { codes: IssuedCodes; logged: LoggedChange } {
    const { codes } = this.issue(record, at);
    return { codes, logged: this.deps.changeLog.upsert(record.id, at) };
  }

  private issue(
    record: ReservationRecord,
    at: string,
  ): { codes: IssuedCodes & { pin: string; qr: string }; twoFactor: boolean } {
    const { store, issuer } = this.deps;
    const type = store.directory.itemType(record.itemType);
    const { pin, pinHash, qr, qrHash, returnPin, returnPinHash } = issuer.issue(
      record.lockerId,
      type?.kind === 'loan',
    );
    store.reservations.update(
      record.id,
      { pinHash, qrHash, ...(returnPinHash ? { returnPinHash } : {}) },
      at,
    );
    return { codes: { pin, qr, ...(returnPin ? { returnPin } : {}) }, twoFactor: type?.twoFactor ?? false };
  }
}
