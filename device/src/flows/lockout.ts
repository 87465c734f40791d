/** Escalating delay after wrong codes; the state is persisted so a restart does not reset it. */
export interface LockoutPolicy {
  /** Wrong codes allowed before the first delay. */
  freeAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Wrong codes (in one run of failures) that raise an alarm to the fleet. */
  alarmAfter: number;
  /** A run of failures is forgotten after this long without one. */
  forgetAfterMs: number;
}

export const defaultLockoutPolicy: LockoutPolicy = {
  freeAttempts: 3,
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60_000,
  alarmAfter: 6,
  forgetAfterMs: 60 * 60_000,
};

export interface LockoutState {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
}

export const noLockout: LockoutState = { failures: 0, lastFailureAt: 0, lockedUntil: 0 };

export function lockoutRemainingMs(state: LockoutState, now: number): number {
  return Math.max(0, state.lockedUntil - now);
}

export interface FailureVerdict {
  state: LockoutState;
  delayMs: number;
  /** True exactly once per run of failures: when it reaches `alarmAfter`. */
  alarm: boolean;
}

export function recordFailure(state: LockoutState, now: number, policy: LockoutPolicy): FailureVerdict {
  const fresh = now - state.lastFailureAt > policy.forgetAfterMs;
  const failures = (fresh ? 0 : state.failures) + 1;
  const over = failures - policy.freeAttempts;
  const delayMs = over <= 0 ? 0 : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (over - 1));
  return {
    state: { failures, lastFailureAt: now, lockedUntil: now + delayMs },
    delayMs,
    alarm: failures === policy.alarmAfter,
  };
}

/** A right code ends the run, but never an active delay. */
export function recordSuccess(state: LockoutState): LockoutState {
  return { ...state, failures: 0 };
}
