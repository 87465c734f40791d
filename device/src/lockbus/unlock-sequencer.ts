import { setTimeout as sleep } from 'node:timers/promises';

export interface UnlockSequencerOptions {
  /** At most this many lock coils energised at once (power supplies sag). */
  maxCoilsEnergised: number;
  /** Minimum time between two unlock commands. */
  gapMs: number;
  /** How long a board keeps a coil energised after an unlock. */
  coilPulseMs: number;
}

/** Hands out turns to pulse a lock coil: a gap between pulses and a cap on coils energised at once. */
export class UnlockSequencer {
  private energised = 0;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly options: UnlockSequencerOptions) {}

  /** Resolves when this caller may send its unlock; the coil counts as energised for one pulse. */
  turn(): Promise<void> {
    const mine = this.tail.then(() => this.waitForSlot());
    this.tail = mine.catch(() => undefined);
    return mine;
  }

  get energisedCoils(): number {
    return this.energised;
  }

  private async waitForSlot(): Promise<void> {
    const { maxCoilsEnergised, gapMs, coilPulseMs } = this.options;
    while (this.energised >= maxCoilsEnergised) await sleep(Math.max(1, coilPulseMs / 10));
    const wait = this.lastStartAt + gapMs - Date.now();
    if (wait > 0) await sleep(wait);
    this.lastStartAt = Date.now();
    this.energised++;
    setTimeout(() => {
      this.energised--;
    }, coilPulseMs).unref();
  }
}
