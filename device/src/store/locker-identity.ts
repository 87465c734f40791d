import type { DeviceStore } from './device-store.ts';
import { StoreError } from './store-error.ts';

const lockerIdKey = 'locker_id';

/** What staff run when a commissioned locker's database is lost: named in every LOCKER_STATE_LOST. */
export const recoveryCommand =
  'npm run device -- recover --config <config file> --confirm [--event-seq-above N]';

/** Sequence number of the last event this database recorded (0: none ever). */
export function lastEventSeq(store: DeviceStore): number {
  const row = store.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as
    | { seq: number }
    | undefined;
  return row?.seq ?? 0;
}

function hasHistory(store: DeviceStore): boolean {
  const audit = store.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number };
  return lastEventSeq(store) > 0 || audit.n > 0 || store.reservations().length > 0;
}

/**
 * The database says whose state it holds. A database of another locker, or a new/empty one where
 * the config says this locker was commissioned, would start a "fresh" locker over items still in
 * their compartments: refused with LOCKER_STATE_LOST. Otherwise the database is claimed.
 */
export function claimIdentity(store: DeviceStore, lockerId: string, commissioned: boolean): void {
  const stored = store.getMeta(lockerIdKey);
  if (stored === lockerId) return;
  if (stored !== undefined)
    throw new StoreError(
      'LOCKER_STATE_LOST',
      `database ${store.path} holds locker "${stored}", not "${lockerId}"; restore this locker's backup or run: ${recoveryCommand}`,
    );
  if (commissioned && !hasHistory(store))
    throw new StoreError(
      'LOCKER_STATE_LOST',
      `database ${store.path} is new or empty, but locker "${lockerId}" was commissioned (store.commissioned: true); restore a backup or run: ${recoveryCommand}`,
    );
  store.transaction(() => store.setMeta(lockerIdKey, lockerId));
}

/**
 * After staff confirm: this database becomes the locker's, its events continue above
 * `eventSeqAbove` (the fleet's last seen sequence number, when known). Reservations come back
 * from the fleet at the next connection; what is physically inside comes from the item sensors
 * at the next start (an item in a compartment makes it occupied, for staff to retrieve).
 */
export function recoverIdentity(
  store: DeviceStore,
  lockerId: string,
  eventSeqAbove: number,
  now: string,
): void {
  store.transaction(() => {
    store.setMeta(lockerIdKey, lockerId);
    store.setMeta('recovered_at', now);
    if (eventSeqAbove > lastEventSeq(store)) {
      store.db.prepare("DELETE FROM sqlite_sequence WHERE name = 'outbox'").run();
      store.db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)").run(eventSeqAbove);
    }
  });
}
