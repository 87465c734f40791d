import type { Clock } from '@locker/device';

/**
 * A clock pair for tests that stands still until moved: `advance` lets time pass (both clocks),
 * `stepWall` sets the wall clock alone (NTP, a PC kept in local time), `reboot` starts a new boot
 * whose monotonic clock counts from 0 again.
 */
export class TestClock implements Clock {
  private wallMs: number;
  private monotonicMs = 1_000_000;
  private boot = 1;

  constructor(startWall = Date.parse('2026-11-24T10:00:00Z')) {
    this.wallMs = startWall;
  }

  wall(): number {
    return this.wallMs;
  }

  monotonic(): number {
    return this.monotonicMs;
  }

  bootId(): string {
    return `test-boot-${this.boot}`;
  }

  advance(ms: number): void {
    this.wallMs += ms;
    this.monotonicMs += ms;
  }

  stepWall(ms: number): void {
    this.wallMs += ms;
  }

  reboot(downMs: number): void {
    this.boot += 1;
    this.wallMs += downMs;
    this.monotonicMs = 0;
  }
}
