import { EventEmitter } from 'node:events';
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../runtime/clock.ts';
import type { DeviceStore } from './device-store.ts';
import { StoreError } from './store-error.ts';

export const storeHealthDefaults = {
  /** How often free space is read and, while writes fail, a probe write is tried. */
  checkMs: 5_000,
  /** Below this many free bytes on the database's file system: a `disk_low` alarm. */
  lowDiskBytes: 64 * 1024 * 1024,
};

export interface StoreHealthState {
  writable: boolean;
  /** `PRAGMA quick_check` at start found nothing wrong. */
  intact: boolean;
  freeBytes: number | null;
  lowDisk: boolean;
}

export type FreeBytes = (path: string) => number;

const freeBytesOf: FreeBytes = (path) => {
  const stats = statfsSync(dirname(path));
  return stats.bavail * stats.bsize;
};

/**
 * Whether the database takes writes. A refused write (disk full, I/O error) marks it unwritable at
 * once; a probe write every `checkMs` finds out when writes work again. Free space is read on the
 * same beat; a low disk raises an alarm while it can still be written. A failed quick check at
 * start is an alarm too. Listeners hear every change.
 */
export class StoreHealth extends EventEmitter<{ change: [StoreHealthState] }> {
  private timer: NodeJS.Timeout | undefined;
  private current: StoreHealthState = { writable: true, intact: true, freeBytes: null, lowDisk: false };
  private failedSince: number | null = null;

  constructor(
    private readonly deps: {
      store: DeviceStore;
      logger: Logger;
      /** The wall clock stamps the write probe; how long writes failed runs on the monotonic clock. */
      clock: Clock;
      /** Records a durable alarm (inside the caller's transaction). */
      alarm: (data: Record<string, string | number | boolean | null>) => void;
      options?: Partial<typeof storeHealthDefaults>;
      freeBytes?: FreeBytes;
    },
  ) {
    super();
  }

  private readonly onWriteFailed = (error: Error) => this.writeFailed(error);

  start(): void {
    this.deps.store.on('writeFailed', this.onWriteFailed);
    this.checkIntegrity();
    this.check();
    this.timer = setInterval(() => this.check(), this.options().checkMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.deps.store.off('writeFailed', this.onWriteFailed);
  }

  get writable(): boolean {
    return this.current.writable;
  }

  /** Writes work and the file passed its check: doors may be opened for new pickups. */
  get usable(): boolean {
    return this.current.writable && this.current.intact;
  }

  state(): StoreHealthState {
    return { ...this.current };
  }

  /** Reads free space and, while writes fail, tries one; never throws (it runs from a timer). */
  check(): void {
    try {
      this.readFreeSpace();
      if (!this.current.writable) this.probe();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'store health check failed');
    }
  }

  private checkIntegrity(): void {
    const problems = this.deps.store.quickCheck();
    if (problems.length === 0) return;
    this.current = { ...this.current, intact: false };
    this.deps.logger.error(
      { err: new StoreError('STORE_DAMAGED', problems.slice(0, 5).join('; ')) },
      'database failed its quick check: new pickups are refused',
    );
    try {
      this.deps.store.transaction(() =>
        this.deps.alarm({ code: 'store_damaged', problems: problems.length, first: problems[0] ?? null }),
      );
    } catch {
      // the telemetry carries it
    }
  }

  private writeFailed(error: Error): void {
    if (!this.current.writable) return;
    this.failedSince = this.deps.clock.monotonic();
    this.deps.logger.error(
      { err: new StoreError('STORE_WRITE_FAILED', error.message, { cause: error }) },
      'database refused a write: new pickups are refused until writes work again',
    );
    this.set({ writable: false });
  }

  private probe(): void {
    const { store, clock } = this.deps;
    const failedForS = Math.round((clock.monotonic() - (this.failedSince ?? clock.monotonic())) / 1000);
    try {
      store.transaction(() => {
        store.setMeta('write_probe', new Date(clock.wall()).toISOString());
        this.deps.alarm({ code: 'store_write_failed', failedForS, recovered: true });
      });
    } catch {
      return; // still refused; the next check tries again
    }
    this.failedSince = null;
    this.deps.logger.info({ failedForS }, 'database takes writes again');
    this.set({ writable: true });
  }

  private readFreeSpace(): void {
    const freeBytes = (this.deps.freeBytes ?? freeBytesOf)(this.deps.store.path);
    const lowDisk = freeBytes < this.options().lowDiskBytes;
    if (lowDisk && !this.current.lowDisk) {
      this.deps.logger.warn({ freeBytes }, 'disk space is low');
      try {
        this.deps.store.transaction(() => this.deps.alarm({ code: 'disk_low', freeBytes }));
      } catch {
        // the telemetry carries the alarm when the outbox cannot
      }
    }
    const changed = lowDisk !== this.current.lowDisk;
    this.current = { ...this.current, freeBytes };
    if (changed) this.set({ lowDisk });
  }

  private set(patch: Partial<StoreHealthState>): void {
    this.current = { ...this.current, ...patch };
    this.emit('change', this.state());
  }

  private options(): typeof storeHealthDefaults {
    return { ...storeHealthDefaults, ...this.deps.options };
  }
}
