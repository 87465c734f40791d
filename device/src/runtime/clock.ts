import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The runtime's two clocks. The wall clock stamps events and checks validity windows
 * (reservation expiry, due dates); every duration (lockout delays, door-left-open reminders,
 * second-factor windows, resend silences, failure spans) runs on the monotonic clock, which a
 * stepped wall clock (NTP, a PC kept in local time) does not move.
 */
export interface Clock {
  /** Milliseconds since the epoch: timestamps and validity windows only. */
  wall(): number;
  /** Milliseconds of CLOCK_MONOTONIC: on Linux counted from boot, so comparable across restarts of one boot. */
  monotonic(): number;
  /** Changes at every boot: monotonic readings of another boot cannot be compared with this one's. */
  bootId(): string;
}

/** One reading of both clocks. */
export interface Instant {
  wall: number;
  monotonic: number;
}

export const instantOf = (clock: Clock): Instant => ({ wall: clock.wall(), monotonic: clock.monotonic() });

const bootIdPath = '/proc/sys/kernel/random/boot_id';
let bootId: string | undefined;

/** Without /proc every start counts as a new boot: persisted durations then fall back to the wall clock. */
function readBootId(): string {
  try {
    return readFileSync(bootIdPath, 'utf8').trim();
  } catch {
    return `process-${randomUUID()}`;
  }
}

export const systemClock: Clock = {
  wall: () => Date.now(),
  monotonic: () => Number(process.hrtime.bigint() / 1_000_000n),
  bootId: () => {
    bootId ??= readBootId();
    return bootId;
  },
};
