import { describe, expect, it } from 'vitest';
import { UnlockSequencer } from './unlock-sequencer.ts';

describe('UnlockSequencer', () => {
  it('keeps the gap between unlocks and never energises more coils than allowed', async () => {
    const sequencer = new UnlockSequencer({ maxCoilsEnergised: 2, gapMs: 15, coilPulseMs: 60 });
    const startedAt: number[] = [];
    let maxSeen = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        await sequencer.turn();
        startedAt.push(performance.now());
        maxSeen = Math.max(maxSeen, sequencer.energisedCoils);
      }),
    );
    expect(maxSeen).toBeLessThanOrEqual(2);
    const sorted = [...startedAt].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(14);
    // a third coil waits for the first pulse to end
    expect(sorted[2]! - sorted[0]!).toBeGreaterThanOrEqual(59);
  });
});
