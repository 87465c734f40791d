/**
 * Wrong codes at a locker: a run of failures (one visit) gets escalating delays after a few free
 * ones, and the locker as a whole has a budget of wrong codes per rolling window after which that
 * kind of code is not evaluated until the window frees. Nothing but time resets either count (a
 * right code does not); the state is persisted so a restart does not reset it.
 */
export interface LockoutPolicy {
  /** Wrong codes in one run allowed before the first delay. */
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A run of failures is forgotten after this long without one. */
  forgetAfterMs: number;
  /** Wrong codes within one budget window that raise an alarm to the fleet. */
  alarmAfter: number;
  /** Wrong codes within any budget window after which entry is suspended (alarm to the fleet). */
  budget: number;
  budgetWindowMs: number;
}

export const defaultLockoutPolicy: LockoutPolicy = {
  freeAttempts: 3,
  baseDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
  forgetAfterMs: 5 * 60_000,
  alarmAfter: 20,
  budget: 100,
  budgetWindowMs: 24 * 60 * 60_000,
};

export interface LockoutState {
  /** Failures in the current run. */
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  /** When each wrong code of the budget window was entered, oldest first. */
  recent: number[];
  /** When each alarm was last raised: at most once per budget window. */
  alarmedAt: Partial<Record<LockoutAlarm, number>>;
}

export type LockoutAlarm = 'wrong_codes' | 'entry_suspended';

export const noLockout: LockoutState = {
  failures: 0,
  lastFailureAt: 0,
  lockedUntil: 0,
  recent: [],
  alarmedAt: {},
};

export type LockoutBlock = { kind: 'open' } | { kind: 'wait' | 'suspended'; remainingMs: number };

function inWindow(state: LockoutState, now: number, policy: LockoutPolicy): number[] {
  return state.recent.filter((at) => at > now - policy.budgetWindowMs);
}

/** Whether a code of this counter's kind may be evaluated now, and if not, for how long. */
export function lockoutBlock(state: LockoutState, now: number, policy: LockoutPolicy): LockoutBlock {
  const recent = inWindow(state, now, policy);
  if (recent.length >= policy.budget) {
    const freesAt = (recent[recent.length - policy.budget] ?? now) + policy.budgetWindowMs;
    return { kind: 'suspended', remainingMs: Math.max(1, freesAt - now) };
  }
  const waitMs = state.lockedUntil - now;
  return waitMs > 0 ? { kind: 'wait', remainingMs: waitMs } : { kind: 'open' };
}

/** The delay after the `failures`-th wrong code of a run. */
export function delayAfter(failures: number, policy: LockoutPolicy): number {
  const over = failures - policy.freeAttempts;
  return over <= 0 ? 0 : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (over - 1));
}

export interface FailureVerdict {
  state: LockoutState;
  delayMs: number;
  /** Raised at most once per budget window each: at `alarmAfter` wrong codes, and when entry is suspended. */
  alarm: LockoutAlarm | null;
  /** Wrong codes within the budget window, this one included. */
  inWindow: number;
}

export function recordFailure(state: LockoutState, now: number, policy: LockoutPolicy): FailureVerdict {
  const fresh = now - state.lastFailureAt > policy.forgetAfterMs;
  const failures = (fresh ? 0 : state.failures) + 1;
  const recent = [...inWindow(state, now, policy), now];
  const delayMs = delayAfter(failures, policy);
  const due = (alarm: LockoutAlarm, threshold: number) =>
    recent.length >= threshold && (state.alarmedAt[alarm] ?? -Infinity) <= now - policy.budgetWindowMs;
  const alarm = due('entry_suspended', policy.budget)
    ? 'entry_suspended'
    : due('wrong_codes', policy.alarmAfter)
      ? 'wrong_codes'
      : null;
  return {
    state: {
      failures,
      lastFailureAt: now,
      lockedUntil: now + delayMs,
      recent,
      alarmedAt: alarm ? { ...state.alarmedAt, [alarm]: now } : state.alarmedAt,
    },
    delayMs,
    alarm,
    inWindow: recent.length,
  };
}
