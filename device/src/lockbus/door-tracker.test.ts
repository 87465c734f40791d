import { describe, expect, it } from 'vitest';
import { DoorTracker } from './door-tracker.ts';

describe('DoorTracker', () => {
  it('starts unknown and accepts a state only after the debounce count of equal reads', () => {
    const tracker = new DoorTracker(2);
    expect(tracker.observe(true)).toBeNull();
    expect(tracker.observe(true)).toEqual({ from: 'unknown', to: 'closed', lastKnown: null });
    expect(tracker.state).toBe('closed');
  });

  it('ignores a single contrary read between equal ones (sensor bounce)', () => {
    const tracker = new DoorTracker(2);
    tracker.observe(true);
    tracker.observe(true);
    expect(tracker.observe(false)).toBeNull();
    expect(tracker.observe(true)).toBeNull();
    expect(tracker.observe(false)).toBeNull();
    expect(tracker.state).toBe('closed');
    expect(tracker.observe(false)).toMatchObject({ from: 'closed', to: 'open' });
  });

  it('treats an unreadable value as no reading at all', () => {
    const tracker = new DoorTracker(1);
    expect(tracker.observe(undefined)).toBeNull();
    expect(tracker.state).toBe('unknown');
  });

  it('goes unknown when the board is lost and remembers the last known state', () => {
    const tracker = new DoorTracker(1);
    tracker.observe(true);
    expect(tracker.markUnknown()).toEqual({ from: 'closed', to: 'unknown', lastKnown: 'closed' });
    expect(tracker.markUnknown()).toBeNull();
    expect(tracker.observe(false)).toEqual({ from: 'unknown', to: 'open', lastKnown: 'closed' });
  });
});
