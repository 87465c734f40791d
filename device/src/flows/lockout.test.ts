import { describe, expect, it } from 'vitest';
import { guessingBound, maxWrongGuesses, yearMs } from './guessing-bound.ts';
import {
  defaultLockoutPolicy,
  type LockoutPolicy,
  type LockoutState,
  lockoutBlock,
  noLockout,
  recordFailure,
} from './lockout.ts';

const now = Date.parse('2026-11-24T10:00:00Z');
const policy = defaultLockoutPolicy;
const hour = 60 * 60_000;

/** The policy shipped until issue 10: 3 free, 5 s doubling to 15 min, forgotten after 60 min, no budget. */
const oldPolicy: LockoutPolicy = {
  freeAttempts: 3,
  baseDelayMs: 5_000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: hour,
  alarmAfter: 6,
  budget: Number.POSITIVE_INFINITY,
  budgetWindowMs: 24 * hour,
};

function fail(times: number, at: (i: number) => number, from: LockoutState = noLockout) {
  let state = from;
  const verdicts = [];
  for (let i = 0; i < times; i++) {
    const verdict = recordFailure(state, at(i), policy);
    verdicts.push(verdict);
    state = verdict.state;
  }
  return { state, verdicts };
}

describe('lockout', () => {
  it('leaves a citizen who mistypes twice unpunished, then escalates and caps the delay', () => {
    const { verdicts } = fail(12, (i) => now + i);
    expect(verdicts.map((v) => v.delayMs).slice(0, 6)).toEqual([0, 0, 0, 5000, 10_000, 20_000]);
    expect(Math.max(...verdicts.map((v) => v.delayMs))).toBe(policy.maxDelayMs);
  });

  it('forgets a run after a quiet while, but keeps counting it against the locker budget', () => {
    const { state } = fail(5, () => now);
    const later = recordFailure(state, now + policy.forgetAfterMs + 1, policy);
    expect(later.state.failures).toBe(1);
    expect(later.delayMs).toBe(0);
    expect(later.inWindow).toBe(6);
  });

  it('suspends entry at the budget until the oldest wrong code leaves the window, alarming on the way', () => {
    // one wrong code a minute: slow enough never to wait, fast enough to spend the budget in hours
    const { state, verdicts } = fail(policy.budget, (i) => now + i * (policy.forgetAfterMs + 1));
    const last = now + (policy.budget - 1) * (policy.forgetAfterMs + 1);
    expect(verdicts.filter((v) => v.alarm).map((v) => [v.inWindow, v.alarm])).toEqual([
      [policy.alarmAfter, 'wrong_codes'],
      [policy.budget, 'entry_suspended'],
    ]);
    // past the budget, the next window's wrong codes raise no alarm again within the window
    const again = recordFailure(state, now + policy.budgetWindowMs + 1, policy);
    expect([again.inWindow, again.alarm]).toEqual([policy.budget, null]);
    const block = lockoutBlock(state, last + 1, policy);
    expect(block).toEqual({ kind: 'suspended', remainingMs: now + policy.budgetWindowMs - last - 1 });
    expect(lockoutBlock(state, now + policy.budgetWindowMs + 1, policy).kind).toBe('open');
  });

  it('blocks for the delay of the last wrong code and opens after it', () => {
    const { state } = fail(4, () => now);
    expect(lockoutBlock(state, now + 1, policy)).toEqual({ kind: 'wait', remainingMs: 4999 });
    expect(lockoutBlock(state, now + 5000, policy).kind).toBe('open');
  });
});

describe('brute-force bound', () => {
  it('the old policy allowed ~82,000 guesses a year: 56 % with 10 live 6-digit PINs', () => {
    const bound = guessingBound(oldPolicy, 10, 10 ** 6);
    expect(bound.guessesPerYear).toBeGreaterThan(81_000);
    expect(bound.guessesPerYear).toBeLessThan(83_000);
    expect(bound.probability).toBeGreaterThan(0.55);
    expect(bound.probability).toBeLessThan(0.57);
  });

  it('the shipped defaults keep 20 live 8-digit PINs below 1 % a year at the fastest rate allowed', () => {
    const bound = guessingBound(defaultLockoutPolicy, 20, 10 ** 8);
    expect(bound.guessesPerYear).toBe(365 * defaultLockoutPolicy.budget);
    expect(bound.probability).toBeLessThan(0.01);
  });

  it('counts the delays when they are tighter than the budget', () => {
    const strict = { ...defaultLockoutPolicy, budget: 10_000 };
    // the best run is 8 wrong codes (5 + 10 + 20 + 40 s of delays) then 5 min to be forgotten: 8 per 375 s
    expect(maxWrongGuesses(strict, yearMs)).toBe(Math.ceil((yearMs * 8) / 375_000) + 8);
  });

  it('an identity document is never obtained by guessing: its QR factor alone is 128 bits', () => {
    expect(guessingBound(defaultLockoutPolicy, 20, 2 ** 128).probability).toBeLessThan(1e-30);
  });
});
