import { EventEmitter } from 'node:events';
import { TimerSet } from './timer-set.ts';

export interface DoorPhysics {
  /** How long the lock coil keeps the latch released after an unlock command. */
  pulseMs: number;
  /** Delay from latch release to the door springing open (0: the sensor reports at once). */
  springMs: number;
  /** How long a bouncing sensor chatters after a real change. */
  bounceMs: number;
}

export const defaultDoorPhysics: Readonly<DoorPhysics> = { pulseMs: 500, springMs: 30, bounceMs: 150 };

export interface DoorSnapshot {
  open: boolean;
  latched: boolean;
  held: boolean;
  jammed: boolean;
  itemPresent: boolean;
  sensorStuck: 'open' | 'closed' | null;
  bouncing: boolean;
  unlockCount: number;
}

/**
 * One compartment door with its lock, door sensor and item sensor. An unlocked door springs
 * open unless held; a person closes it (the latch catches); a key or force opens it with no
 * command. Faults: jammed lock, stuck or bouncing sensor. Emits `change` with a snapshot.
 */
export class SimDoor extends EventEmitter<{ change: [DoorSnapshot] }> {
  private open = false;
  private latched = true;
  private held = false;
  private jammed = false;
  private itemPresent = false;
  private sensorStuck: 'open' | 'closed' | null = null;
  private bouncing = false;
  private chatterUntil = 0;
  private unlockCount = 0;
  private pulses = 0;
  private readonly timers = new TimerSet();

  constructor(
    private readonly physics: DoorPhysics,
    private readonly random: () => number,
  ) {
    super();
  }

  /** The lock coil is pulsed. A jammed lock acknowledges but its latch never releases. */
  unlock(): void {
    this.unlockCount++;
    if (this.jammed || this.open) {
      this.changed();
      return;
    }
    this.latched = false;
    this.changed();
    if (!this.held) this.timers.later(this.physics.springMs, () => this.springOpen());
    // a new pulse restarts the coil: the end of an earlier pulse must not re-latch this one
    const pulse = ++this.pulses;
    this.timers.later(this.physics.pulseMs, () => {
      if (pulse === this.pulses && !this.open && !this.latched) {
        this.latched = true;
        this.changed();
      }
    });
  }

  /** A person pushes the door shut; the latch catches it. */
  close(): void {
    if (!this.open && this.latched) return;
    this.open = false;
    this.latched = true;
    this.startChatter();
    this.changed();
  }

  /** Someone keeps the door shut: an unlock then does not spring it open. */
  hold(): void {
    this.held = true;
    this.changed();
  }

  /** Let go of a held door; it springs open if its latch is still released. */
  release(): void {
    this.held = false;
    if (!this.latched) this.springOpen();
    else this.changed();
  }

  /** Door forced open (or opened with the manual key): no command behind it. */
  forceOpen(): void {
    this.open = true;
    this.latched = false;
    this.startChatter();
    this.changed();
  }

  setJammed(jammed: boolean): void {
    this.jammed = jammed;
    this.changed();
  }

  setItem(present: boolean): void {
    this.itemPresent = present;
    this.changed();
  }

  setSensorStuck(value: 'open' | 'closed' | null): void {
    this.sensorStuck = value;
    this.changed();
  }

  setBouncing(bouncing: boolean): void {
    this.bouncing = bouncing;
    if (bouncing) this.startChatter();
    this.changed();
  }

  /** What the door sensor reports now: stuck, chattering, or the truth. */
  sensedClosed(now = Date.now()): boolean {
    if (this.sensorStuck) return this.sensorStuck === 'closed';
    if (this.bouncing && now < this.chatterUntil) return this.random() < 0.5;
    return !this.open;
  }

  sensedItem(): boolean {
    return this.itemPresent;
  }

  snapshot(): DoorSnapshot {
    return {
      open: this.open,
      latched: this.latched,
      held: this.held,
      jammed: this.jammed,
      itemPresent: this.itemPresent,
      sensorStuck: this.sensorStuck,
      bouncing: this.bouncing,
      unlockCount: this.unlockCount,
    };
  }

  stop(): void {
    this.timers.clear();
  }

  private springOpen(): void {
    if (this.open || this.latched || this.held) return;
    this.open = true;
    this.startChatter();
    this.changed();
  }

  private startChatter(): void {
    if (this.bouncing) this.chatterUntil = Date.now() + this.physics.bounceMs;
  }

  private changed(): void {
    this.emit('change', this.snapshot());
  }
}
