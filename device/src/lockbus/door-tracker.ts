import type { DoorState } from './lock-bus.ts';

export interface DoorTransition {
  from: DoorState;
  to: DoorState;
  /** The last state that was not `unknown` before this change. */
  lastKnown: DoorState | null;
}

/**
 * One door's debounced state. A new reading is accepted after `debounceReads` equal reads in a
 * row; a reading the board could not give (`undefined`) counts as a failed read.
 */
export class DoorTracker {
  state: DoorState = 'unknown';
  lastKnown: DoorState | null = null;
  private candidate: DoorState | null = null;
  private candidateReads = 0;

  constructor(private readonly debounceReads: number) {}

  observe(closed: boolean | undefined): DoorTransition | null {
    if (closed === undefined) return null;
    const reading: DoorState = closed ? 'closed' : 'open';
    if (reading === this.state) {
      this.candidate = null;
      this.candidateReads = 0;
      return null;
    }
    if (reading !== this.candidate) {
      this.candidate = reading;
      this.candidateReads = 0;
    }
    this.candidateReads++;
    if (this.candidateReads < this.debounceReads) return null;
    return this.moveTo(reading);
  }

  /** The board stopped answering: the door's state is no longer known. */
  markUnknown(): DoorTransition | null {
    this.candidate = null;
    this.candidateReads = 0;
    return this.state === 'unknown' ? null : this.moveTo('unknown');
  }

  private moveTo(to: DoorState): DoorTransition {
    const transition = { from: this.state, to, lastKnown: this.lastKnown };
    this.state = to;
    if (to !== 'unknown') this.lastKnown = to;
    this.candidate = null;
    this.candidateReads = 0;
    return transition;
  }
}
