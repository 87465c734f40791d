import type { KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { ReleaseManifest, UpdateCommand, UpdateState } from '@locker/protocol';
import type { Logger } from 'pino';
import { downloadArtifact } from './artifact-download.ts';
import type { InstallLayout } from './install-layout.ts';
import { inMaintenanceWindow } from './maintenance-window.ts';
import { verifyArtifact, verifyManifest } from './release-verifier.ts';
import type { UpdateConfig } from './update-config.ts';
import { UpdateError } from './update-error.ts';
import { type UpdateReporter, updateStatus } from './update-report.ts';
import { readUpdateRecord, writeUpdateRecord } from './update-state.ts';

export const updaterTimeouts = {
  /** How often a downloaded release waiting for the window or for an idle locker looks again. */
  idleRetryMs: 60_000,
  /** After a failed download, the next attempt (it resumes). */
  downloadRetryMs: 60_000,
} as const;

type Problem = { code: string; message: string };

/** One release being installed, with the status reporter of its rollout. */
interface Job {
  rolloutId: string;
  manifest: ReleaseManifest;
  status: (state: UpdateState, problem?: Problem) => Promise<boolean>;
  /** `waiting` is reported once, not at every look. */
  waitingReported?: boolean;
}

export interface UpdaterDeps {
  config: UpdateConfig;
  layout: InstallLayout;
  keys: readonly KeyObject[];
  /** The version this process runs. */
  running: string;
  /** No citizen session and no door open: the locker decides it may restart. */
  isIdle: () => boolean;
  now: () => Date;
  /** A consistent copy of the live database (online backup). */
  backup: (target: string) => Promise<void>;
  report: UpdateReporter;
  /** Stops this process so that its supervisor (systemd) starts `current` again. */
  restart: () => Promise<void>;
  logger: Logger;
  timeouts?: Partial<Record<keyof typeof updaterTimeouts, number>>;
}

/**
 * Installs a release the fleet asks for: verifies the signed manifest before anything else,
 * downloads (resumable, capped), verifies size and digest, unpacks beside the running release,
 * then — in the maintenance window, with the locker idle — backs up the database, records the
 * switch, points `current` at the new release and restarts. The new version's health gate
 * (update-gate.ts) commits it or switches back.
 */
export class Updater {
  private active: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly deps: UpdaterDeps) {}

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Handles an update command; a repeat of the one in progress is ignored. */
  async handle(command: UpdateCommand): Promise<void> {
    const key = `${command.rolloutId}/${command.release.manifest.version}`;
    if (this.active === key || this.stopped) return;
    this.active = key;
    clearTimeout(this.timer);
    const { running } = this.deps;
    const status = (state: UpdateState, problem?: Problem) =>
      this.deps.report(
        updateStatus(
          {
            rolloutId: command.rolloutId,
            version: command.release.manifest.version,
            running,
            state,
            at: this.deps.now(),
          },
          problem,
        ),
      );
    let manifest: ReleaseManifest;
    try {
      manifest = verifyManifest(command.release, this.deps.keys);
    } catch (error) {
      this.active = undefined;
      return this.refuse(error, status);
    }
    // rolled back, or running on probation: the health gate reports it, nothing is installed again
    const record = readUpdateRecord(this.deps.layout.stateFile);
    const decided =
      record?.rolloutId === command.rolloutId &&
      record.version === manifest.version &&
      (record.phase === 'rolled_back' || (record.phase === 'switched' && manifest.version === running));
    if (decided) {
      this.active = undefined;
      return;
    }
    if (manifest.version === running) {
      this.active = undefined;
      await status('healthy');
      return;
    }
    await this.download({ rolloutId: command.rolloutId, manifest, status });
  }

  private async download(job: Job): Promise<void> {
    const { manifest, status } = job;
    const { config, layout, logger } = this.deps;
    const file = layout.download(manifest.version);
    try {
      await status('downloading');
      const { resumedFrom } = await downloadArtifact({
        url: `${config.downloadUrl.replace(/\/$/, '')}/api/releases/locker/${manifest.version}/artifact`,
        file,
        size: manifest.size,
        maxBytes: config.maxArtifactBytes,
      });
      logger.info({ version: manifest.version, resumedFrom }, 'release downloaded');
      await verifyArtifact(file, manifest);
    } catch (error) {
      if (error instanceof UpdateError && error.code === 'DOWNLOAD_FAILED') {
        logger.warn({ err: error }, 'release download failed; resuming later');
        await status('downloading', { code: error.code, message: error.message });
        this.later(this.timeout('downloadRetryMs'), () => this.download(job));
        return;
      }
      rmSync(file, { force: true });
      rmSync(`${file}.part`, { force: true });
      this.active = undefined;
      return this.refuse(error, status);
    }
    try {
      await layout.unpack(file, manifest.version);
      const how = await layout.installDependencies(manifest.version, this.deps.running);
      logger.info(
        { version: manifest.version, dependencies: how },
        'release unpacked beside the running one',
      );
    } catch (error) {
      this.active = undefined;
      await status('failed', describe(error));
      return;
    }
    await this.switchWhenIdle(job);
  }

  private async switchWhenIdle(job: Job): Promise<void> {
    const { manifest, status } = job;
    const { config, layout, running, logger } = this.deps;
    if (this.stopped) return;
    if (!inMaintenanceWindow(this.deps.now(), config.window) || !this.deps.isIdle()) {
      if (!job.waitingReported) job.waitingReported = await status('waiting');
      this.later(this.timeout('idleRetryMs'), () => this.switchWhenIdle(job));
      return;
    }
    const backup = layout.backup(manifest.version);
    try {
      await this.deps.backup(backup);
      writeUpdateRecord(layout.stateFile, {
        rolloutId: job.rolloutId,
        version: manifest.version,
        previous: running,
        phase: 'switched',
        attempts: 0,
        backup,
        reported: false,
      });
      layout.switchTo(manifest.version);
    } catch (error) {
      this.active = undefined;
      await status('failed', describe(error));
      return;
    }
    logger.warn({ from: running, to: manifest.version }, 'switched to the new release; restarting');
    await status('switching');
    await this.deps.restart();
  }

  private async refuse(error: unknown, status: Job['status']): Promise<void> {
    this.deps.logger.error({ err: error }, 'release refused; nothing unpacked');
    await status('refused', describe(error));
  }

  private later(ms: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => void run().catch((error) => this.deps.logger.error({ err: error }, 'update step failed')),
      ms,
    );
  }

  private timeout(name: keyof typeof updaterTimeouts): number {
    return this.deps.timeouts?.[name] ?? updaterTimeouts[name];
  }
}

function describe(error: unknown): Problem {
  return error instanceof UpdateError
    ? { code: error.code, message: error.message }
    : { code: 'UPDATE_FAILED', message: String(error) };
}
