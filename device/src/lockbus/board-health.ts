export interface BoardHealthOptions {
  /** Consecutive failed reads before a board that answered goes offline (and at start, before it counts as silent). */
  failedReadsBeforeUnknown: number;
  /** …and the failures must span at least this long (one noisy burst is not a dead board). */
  offlineAfterMs: number;
  /** Consecutive good reads before an offline board counts as back. */
  onlineAfterReads: number;
  /** A board that goes offline again within this time of its last raised fault is counted, not raised again. */
  flapQuietMs: number;
}

/** What a read did to the board: `ignore` means the board is offline and this good read is not enough yet. */
export type HealthVerdict =
  | { change: 'none' }
  | { change: 'ignore' }
  | { change: 'online' | 'offline'; raiseFault: boolean };

/**
 * Whether a board is online, with hysteresis: offline after N consecutive failures over a time
 * span (at start N suffice), back after M consecutive good reads. Flapping is counted; a fault is
 * raised at most once per quiet period. Times are monotonic, handed in by the caller.
 */
export class BoardHealth {
  /** `null` until the first read settles it. */
  online: boolean | null = null;
  consecutiveFailures = 0;
  failedReads = 0;
  offlineTransitions = 0;
  suppressedFaults = 0;
  private firstFailureAt = 0;
  private goodReadsWhileOffline = 0;
  private lastOfflineFaultAt = Number.NEGATIVE_INFINITY;
  private offlineRaised = false;

  constructor(private readonly options: BoardHealthOptions) {}

  /** An offline board that has started answering: poll it at the normal rate to bring it back. */
  get recovering(): boolean {
    return this.online === false && this.goodReadsWhileOffline > 0;
  }

  readSucceeded(): HealthVerdict {
    this.consecutiveFailures = 0;
    if (this.online === null) {
      this.online = true;
      return { change: 'none' };
    }
    if (this.online) return { change: 'none' };
    this.goodReadsWhileOffline++;
    if (this.goodReadsWhileOffline < this.options.onlineAfterReads) return { change: 'ignore' };
    this.online = true;
    return { change: 'online', raiseFault: this.offlineRaised };
  }

  readFailed(now: number): HealthVerdict {
    this.failedReads++;
    if (this.consecutiveFailures === 0) this.firstFailureAt = now;
    this.consecutiveFailures++;
    this.goodReadsWhileOffline = 0;
    if (this.online === false || this.consecutiveFailures < this.options.failedReadsBeforeUnknown) {
      return { change: 'none' };
    }
    if (this.online === true && now - this.firstFailureAt < this.options.offlineAfterMs)
      return { change: 'none' };
    this.online = false;
    this.offlineTransitions++;
    const raiseFault = now - this.lastOfflineFaultAt >= this.options.flapQuietMs;
    if (raiseFault) this.lastOfflineFaultAt = now;
    else this.suppressedFaults++;
    this.offlineRaised = raiseFault;
    return { change: 'offline', raiseFault };
  }
}
