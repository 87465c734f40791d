import { describe, expect, it, vi } from 'vitest';
import { HashingGate } from './hashing-gate.ts';

describe('hashing gate', () => {
  it('runs at most `concurrent` at once, queues up to `queued` in order, refuses the rest with LOGIN_BUSY', async () => {
    const gate = new HashingGate({ concurrent: 2, queued: 3 });
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const work = (i: number) => () => {
      started.push(i);
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise<number>((resolve) =>
        releases.push(() => {
          inFlight--;
          resolve(i);
        }),
      );
    };
    const results = Array.from({ length: 8 }, (_, i) =>
      gate.run(work(i)).then(
        (value) => ({ value }),
        (error: { code: string; status: number }) => ({ code: error.code, status: error.status }),
      ),
    );
    await expect(Promise.all(results.slice(5))).resolves.toEqual([
      { code: 'LOGIN_BUSY', status: 503 },
      { code: 'LOGIN_BUSY', status: 503 },
      { code: 'LOGIN_BUSY', status: 503 },
    ]);
    expect(started).toEqual([0, 1]);
    for (let released = 0; released < 5; released++) {
      await vi.waitFor(() => expect(releases.length).toBeGreaterThan(0));
      releases.shift()?.();
    }
    await expect(Promise.all(results.slice(0, 5))).resolves.toEqual(
      [0, 1, 2, 3, 4].map((value) => ({ value })),
    );
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(gate.evaluated).toBe(5);
    expect(gate.refused).toBe(3);
  });
});
