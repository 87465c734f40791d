import { describe, expect, it } from 'vitest';
import { lockoutBlock, noLockout, defaultLockoutPolicy as policy, recordFailure } from './lockout.ts';
import { fromRecord, type RecordClock, toRecord } from './lockout-record.ts';

const hour = 3_600_000;
const wall0 = Date.parse('2026-11-24T10:00:00Z');
const at = (wall: number, monotonic: number, bootId = 'boot-1'): RecordClock => ({ wall, monotonic, bootId });

/** Four wrong codes in a row (3 free, then 5 s) as saved at `saved`. */
function savedWait(saved: RecordClock) {
  let state = noLockout;
  for (let i = 0; i < 4; i++) state = recordFailure(state, saved.monotonic, policy).state;
  expect(lockoutBlock(state, saved.monotonic, policy)).toEqual({ kind: 'wait', remainingMs: 5_000 });
  return JSON.parse(JSON.stringify(toRecord(state, saved))) as unknown;
}

describe('lockout record across restarts and clock steps', () => {
  it('same boot: the wait runs on the monotonic clock, whatever the wall clock did (±1 h)', () => {
    const saved = savedWait(at(wall0, 50_000));
    for (const step of [-hour, hour]) {
      const state = fromRecord(saved, at(wall0 + step, 52_000), policy);
      expect(lockoutBlock(state, 52_000, policy)).toEqual({ kind: 'wait', remainingMs: 3_000 });
      expect(lockoutBlock(state, 55_000, policy)).toEqual({ kind: 'open' });
    }
  });

  it('another boot with the wall clock stepped back 1 h: the 5 s wait stays at most 5 s, never 1 h', () => {
    const saved = savedWait(at(wall0, 50_000));
    const state = fromRecord(saved, at(wall0 - hour, 7_000, 'boot-2'), policy);
    expect(lockoutBlock(state, 7_000, policy)).toEqual({ kind: 'wait', remainingMs: 5_000 });
    expect(lockoutBlock(state, 12_000, policy)).toEqual({ kind: 'open' });
  });

  it('another boot: the time since the save comes from the wall clock, so a 5 min wait is not erased by a 20 s reboot', () => {
    let state = noLockout;
    for (let i = 0; i < 10; i++) state = recordFailure(state, 50_000, policy).state;
    const saved = JSON.parse(JSON.stringify(toRecord(state, at(wall0, 50_000)))) as unknown;
    const restored = fromRecord(saved, at(wall0 + 20_000, 3_000, 'boot-2'), policy);
    expect(lockoutBlock(restored, 3_000, policy)).toEqual({ kind: 'wait', remainingMs: 5 * 60_000 - 20_000 });
    // the budget window keeps its wrong codes too
    expect(recordFailure(restored, 3_000, policy).inWindow).toBe(11);
  });

  it('reads a record of wall-clock times written before this format, clamped: a wait never outlasts its delay', () => {
    // written while the wall clock was 2 h ahead: its wait would end 2 h from now
    const legacy = {
      failures: 4,
      lastFailureAt: wall0 + 2 * hour,
      lockedUntil: wall0 + 2 * hour + 5_000,
      recent: [wall0 + 2 * hour],
      alarmedAt: {},
    };
    const state = fromRecord(legacy, at(wall0, 9_000, 'boot-2'), policy);
    expect(lockoutBlock(state, 9_000, policy)).toEqual({ kind: 'wait', remainingMs: 5_000 });
    expect(lockoutBlock(state, 14_000, policy)).toEqual({ kind: 'open' });
  });

  it('nothing saved is no lockout', () => {
    expect(fromRecord(null, at(wall0, 1), policy)).toEqual(noLockout);
  });
});
