import { createPublicKey } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UpdateCommand, UpdateStatus } from '@locker/protocol';
import type { Logger } from 'pino';
import { backupDatabase } from '../store/store-backup.ts';
import { InstallLayout } from './install-layout.ts';
import { restoreAfterRollback } from './rollback-restore.ts';
import type { UpdateConfig } from './update-config.ts';
import { type GateHealth, UpdateGate } from './update-gate.ts';
import { Updater } from './updater.ts';

export interface UpdateServiceDeps {
  config: UpdateConfig;
  storePath: string;
  /** The version this process runs. */
  running: string;
  health: () => GateHealth;
  isIdle: () => boolean;
  restart: () => Promise<void>;
  now: () => Date;
  logger: Logger;
}

/** The updater and the health gate of one locker, wired to its fleet connection. */
export class UpdateService {
  private updater: Updater | undefined;
  private gate: UpdateGate | undefined;
  private sender: ((status: UpdateStatus) => Promise<boolean>) | undefined;

  constructor(private readonly deps: UpdateServiceDeps) {}

  /** Before the store opens: the database after a rollback, and this start counted against the health gate. */
  prepare(): void {
    const { config, running, logger } = this.deps;
    const layout = new InstallLayout(config.installRoot);
    restoreAfterRollback(layout, running, this.deps.storePath, logger);
    const report = (status: UpdateStatus) => this.sender?.(status) ?? Promise.resolve(false);
    this.gate = new UpdateGate({
      layout,
      running,
      healthGateMs: config.healthGateMs,
      health: this.deps.health,
      report,
      restart: this.deps.restart,
      now: this.deps.now,
      logger,
    });
    this.updater = new Updater({
      config,
      layout,
      keys: config.publicKeys.map((pem) => createPublicKey(pem)),
      running,
      isIdle: this.deps.isIdle,
      now: this.deps.now,
      backup: async (target) => {
        mkdirSync(dirname(target), { recursive: true });
        await backupDatabase(this.deps.storePath, target);
      },
      report,
      restart: this.deps.restart,
      logger,
    });
    this.gate.start();
    this.updater.start();
  }

  /** The fleet connection's hooks (FleetSyncOptions.updates). */
  syncHooks(): { onCommand: (command: UpdateCommand) => void; onConnected: () => void } {
    return {
      onCommand: (command) =>
        void this.updater
          ?.handle(command)
          .catch((error) => this.deps.logger.error({ err: error }, 'update failed')),
      onConnected: () =>
        void this.gate
          ?.reportPending()
          .catch((error) => this.deps.logger.error({ err: error }, 'update outcome not reported')),
    };
  }

  connect(sender: (status: UpdateStatus) => Promise<boolean>): void {
    this.sender = sender;
  }

  stop(): void {
    this.updater?.stop();
    this.gate?.stop();
  }
}
