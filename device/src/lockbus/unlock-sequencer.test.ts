import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnlockSequencer } from './unlock-sequencer.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Records when each turn is granted, on the (fake) monotonic clock. */
function track(sequencer: UnlockSequencer, count: number) {
  const grantedAt: number[] = [];
  const slots = Array.from({ length: count }, () =>
    sequencer.turn().then((slot) => {
      grantedAt.push(performance.now());
      return slot;
    }),
  );
  return { grantedAt, slots };
}

describe('UnlockSequencer', () => {
  it('with one coil at a time, the next turn comes a full pulse after the previous frame left the wire', async () => {
    const sequencer = new UnlockSequencer({ maxCoilsEnergised: 1, gapMs: 0, coilPulseMs: 150 });
    const { grantedAt, slots } = track(sequencer, 2);
    const first = await slots[0]!;
    // the write is held up 400 ms behind a status read that times out, then drains
    await vi.advanceTimersByTimeAsync(400);
    expect(grantedAt).toHaveLength(1);
    first.sent(performance.now());
    await vi.advanceTimersByTimeAsync(149);
    expect(grantedAt).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(grantedAt).toEqual([0, 550]);
  });

  it('keeps the gap after the last byte and never energises more coils than allowed', async () => {
    const sequencer = new UnlockSequencer({ maxCoilsEnergised: 2, gapMs: 15, coilPulseMs: 60 });
    const { grantedAt, slots } = track(sequencer, 6);
    const wireEnds: number[] = [];
    for (const pending of slots) {
      await vi.advanceTimersByTimeAsync(0);
      while (grantedAt.length <= wireEnds.length) await vi.advanceTimersByTimeAsync(1);
      expect(sequencer.energisedCoils).toBeLessThan(2);
      // 3 ms to drain the frame
      await vi.advanceTimersByTimeAsync(3);
      wireEnds.push(performance.now());
      (await pending).sent(performance.now());
    }
    for (let i = 1; i < grantedAt.length; i++)
      expect(grantedAt[i]! - wireEnds[i - 1]!).toBeGreaterThanOrEqual(15);
    // a third coil waits for the first pulse to end, counted from the first frame's last byte
    expect(grantedAt[2]! - wireEnds[0]!).toBeGreaterThanOrEqual(60);
  });

  it('a cancelled turn (nothing written) lets the next one go without a pulse', async () => {
    const sequencer = new UnlockSequencer({ maxCoilsEnergised: 1, gapMs: 0, coilPulseMs: 500 });
    const { grantedAt, slots } = track(sequencer, 2);
    (await slots[0]!).cancelled();
    await vi.advanceTimersByTimeAsync(0);
    expect(grantedAt).toEqual([0, 0]);
  });
});
