import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimDoor } from './sim-door.ts';

describe('SimDoor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const physics = { pulseMs: 500, springMs: 30, bounceMs: 0 };

  it('springs open after an unlock and latches again when closed', () => {
    const door = new SimDoor(physics, () => 0.5);
    door.unlock();
    expect(door.snapshot()).toMatchObject({ open: false, latched: false });
    vi.advanceTimersByTime(30);
    expect(door.snapshot()).toMatchObject({ open: true });
    door.close();
    expect(door.snapshot()).toMatchObject({ open: false, latched: true });
  });

  it('a second unlock just before the first pulse ends still opens the door (the old pulse does not re-latch it)', () => {
    const door = new SimDoor(physics, () => 0.5);
    door.unlock();
    vi.advanceTimersByTime(30);
    door.close();
    vi.advanceTimersByTime(450); // 480 ms after the first unlock
    door.unlock();
    vi.advanceTimersByTime(20); // the first pulse ends here, before the second spring
    expect(door.snapshot()).toMatchObject({ open: false, latched: false });
    vi.advanceTimersByTime(10);
    expect(door.snapshot()).toMatchObject({ open: true, unlockCount: 2 });
  });

  it('a held door stays shut and latches again when its pulse ends', () => {
    const door = new SimDoor(physics, () => 0.5);
    door.hold();
    door.unlock();
    vi.advanceTimersByTime(500);
    expect(door.snapshot()).toMatchObject({ open: false, latched: true });
    door.release();
    expect(door.snapshot()).toMatchObject({ open: false });
  });
});
