export interface UnlockSequencerOptions {
  /** At most this many lock coils energised at once (power supplies sag). */
  maxCoilsEnergised: number;
  /** Minimum time between the last byte of one unlock frame on the wire and the next unlock. */
  gapMs: number;
  /** How long a board keeps a coil energised after an unlock frame has left the wire. */
  coilPulseMs: number;
}

/** A granted turn: say when the unlock frame's last byte left the wire, or that it never went out. */
export interface CoilSlot {
  /** `wireEndAt` on the monotonic clock (`performance.now()`): bytes drained plus the frame's own time. */
  sent(wireEndAt: number): void;
  /** Nothing reached the wire: the coil never fired. */
  cancelled(): void;
}

/**
 * Hands out turns to pulse a lock coil. Pulses and gaps are timed from when the unlock frame left
 * the wire, never from when the turn was granted: the next turn waits until the previous one is
 * settled (its frame on the wire or cancelled), so a write held up behind a slow exchange cannot
 * bring two coils closer together. All times are monotonic.
 */
export class UnlockSequencer {
  private readonly pulseEnds: number[] = [];
  private lastWireEndAt = Number.NEGATIVE_INFINITY;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: UnlockSequencerOptions) {}

  /** Resolves when this caller may send its unlock; the caller must settle the slot. */
  turn(): Promise<CoilSlot> {
    let release!: () => void;
    const settled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const mine = this.tail.then(() => this.waitForSlot()).then(() => this.slot(release));
    this.tail = mine.then(
      () => settled,
      () => undefined,
    );
    return mine;
  }

  /** Coils still within their pulse, now. */
  get energisedCoils(): number {
    const now = performance.now();
    return this.pulseEnds.filter((end) => end > now).length;
  }

  private slot(release: () => void): CoilSlot {
    let done = false;
    return {
      sent: (wireEndAt) => {
        if (done) return;
        done = true;
        this.pulseEnds.push(wireEndAt + this.options.coilPulseMs);
        this.lastWireEndAt = Math.max(this.lastWireEndAt, wireEndAt);
        release();
      },
      cancelled: () => {
        if (done) return;
        done = true;
        release();
      },
    };
  }

  private async waitForSlot(): Promise<void> {
    const { maxCoilsEnergised, gapMs } = this.options;
    for (;;) {
      const now = performance.now();
      this.dropEndedPulses(now);
      const pulseWait =
        this.pulseEnds.length >= maxCoilsEnergised
          ? this.pulseEnds[this.pulseEnds.length - maxCoilsEnergised]! - now
          : 0;
      const wait = Math.max(pulseWait, this.lastWireEndAt + gapMs - now);
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private dropEndedPulses(now: number): void {
    this.pulseEnds.sort((a, b) => a - b);
    while (this.pulseEnds.length > 0 && this.pulseEnds[0]! <= now) this.pulseEnds.shift();
  }
}
