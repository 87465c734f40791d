import type { Logger } from 'pino';
import type { DeviceConfig } from '../config/device-config.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { DeviceStore } from '../store/device-store.ts';
import { lastEventSeq, recoverIdentity } from '../store/locker-identity.ts';
import { backupDatabase } from '../store/store-backup.ts';

/** `backup --config … --to FILE`: an online backup of the locker's database, safe while the locker runs. */
export async function backupCommand(config: DeviceConfig, target: string, logger: Logger): Promise<void> {
  const { pages } = await backupDatabase(config.store.path, target);
  logger.info({ from: config.store.path, to: target, pages }, 'database backed up');
}

/**
 * `recover --config … --confirm [--event-seq-above N]`: after staff have confirmed that the
 * locker's database was lost, makes the database this locker's again. Events continue above N
 * (the fleet's last seen sequence number); the fleet sends the reservations at the next connection
 * (a new database is at version 0); the item sensors decide at the next start which compartments
 * hold something (occupied, for staff to retrieve; never chosen for loading).
 */
export function recoverCommand(
  config: DeviceConfig,
  options: { confirmed: boolean; eventSeqAbove: number },
  logger: Logger,
  now: () => number = Date.now,
): void {
  if (!options.confirmed)
    throw new Error(
      'recover rebuilds the locker state from the fleet and the sensors: check the cabinet, then run it again with --confirm',
    );
  const store = DeviceStore.open(config.store.path);
  try {
    const recorder = new EventRecorder(store, config.lockerId, now);
    recoverIdentity(store, config.lockerId, options.eventSeqAbove, new Date(now()).toISOString());
    store.transaction(() =>
      recorder.record('alarm', { data: { code: 'state_recovered', eventSeqAbove: options.eventSeqAbove } }),
    );
    logger.info(
      { lockerId: config.lockerId, nextEventSeq: lastEventSeq(store) + 1 },
      'locker state recovered: start the locker; reservations come from the fleet, contents from the sensors',
    );
  } finally {
    store.close();
  }
}
