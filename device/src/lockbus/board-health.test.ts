import { describe, expect, it } from 'vitest';
import { BoardHealth } from './board-health.ts';

const options = {
  failedReadsBeforeUnknown: 3,
  offlineAfterMs: 1000,
  onlineAfterReads: 2,
  flapQuietMs: 60_000,
};

describe('BoardHealth', () => {
  it('a silent board at start is offline after N failed reads, whatever the time span', () => {
    const health = new BoardHealth(options);
    expect(health.readFailed(0)).toEqual({ change: 'none' });
    expect(health.readFailed(1)).toEqual({ change: 'none' });
    expect(health.readFailed(2)).toEqual({ change: 'offline', raiseFault: true });
  });

  it('an online board needs N consecutive failures spanning the offline time: a noisy burst is not enough', () => {
    const health = new BoardHealth(options);
    health.readSucceeded();
    for (const at of [0, 100, 200, 300, 900]) expect(health.readFailed(at).change).toBe('none');
    health.readSucceeded();
    for (const at of [1000, 1100, 1200]) expect(health.readFailed(at).change).toBe('none');
    expect(health.readFailed(2000)).toEqual({ change: 'offline', raiseFault: true });
    expect(health.online).toBe(false);
  });

  it('comes back only after M good reads in a row (hysteresis)', () => {
    const health = new BoardHealth(options);
    for (const at of [0, 1, 2]) health.readFailed(at);
    expect(health.readSucceeded()).toEqual({ change: 'ignore' });
    expect(health.recovering).toBe(true);
    health.readFailed(3);
    expect(health.readSucceeded()).toEqual({ change: 'ignore' });
    expect(health.readSucceeded()).toEqual({ change: 'online', raiseFault: true });
  });

  it('counts flapping within the quiet period instead of raising a fault each time', () => {
    const health = new BoardHealth({ ...options, offlineAfterMs: 0 });
    let raised = 0;
    let now = 0;
    for (let flap = 0; flap < 10; flap++) {
      for (let i = 0; i < 3; i++) {
        now += 100;
        const verdict = health.readFailed(now);
        if (verdict.change === 'offline' && verdict.raiseFault) raised++;
      }
      for (let i = 0; i < 2; i++) {
        const verdict = health.readSucceeded();
        if (verdict.change === 'online' && verdict.raiseFault) raised++;
      }
    }
    expect(raised).toBe(2);
    expect(health.offlineTransitions).toBe(10);
    expect(health.suppressedFaults).toBe(9);
  });
});
