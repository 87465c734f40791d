import { delayAfter, type LockoutPolicy } from './lockout.ts';

export const yearMs = 365 * 24 * 60 * 60_000;

/**
 * The most wrong codes the policy lets anyone enter in any span of `periodMs`, whatever their
 * timing: the smaller of the budget (at most `budget` in each window that covers the span) and
 * the delays (runs of n failures, each followed by a wait long enough to be forgotten, at the best n).
 */
export function maxWrongGuesses(policy: LockoutPolicy, periodMs: number): number {
  const byBudget = Math.ceil(periodMs / policy.budgetWindowMs) * policy.budget;
  return Math.min(byBudget, byDelays(policy, periodMs));
}

function byDelays(policy: LockoutPolicy, periodMs: number): number {
  let best = { rate: 1 / Math.max(policy.maxDelayMs, 1), run: 1 };
  let waited = 0;
  // past the run whose delay reached the maximum, a longer run only adds maximal delays
  for (let run = 1; run <= policy.freeAttempts + 64; run++) {
    const cycleMs = waited + policy.forgetAfterMs;
    if (cycleMs <= 0) return Number.POSITIVE_INFINITY;
    if (run / cycleMs > best.rate) best = { rate: run / cycleMs, run };
    waited += delayAfter(run, policy);
  }
  return Math.ceil(periodMs * best.rate) + best.run;
}

export interface GuessingBound {
  /** Wrong guesses a year the policy allows at one locker. */
  guessesPerYear: number;
  /** Chance that at least one of them hits one of `liveCodes` codes among `codeSpace`. */
  probability: number;
}

/** 1 − (1 − k/N)^g for the most guesses g a year the policy allows, k live codes among N. */
export function guessingBound(policy: LockoutPolicy, liveCodes: number, codeSpace: number): GuessingBound {
  const guessesPerYear = maxWrongGuesses(policy, yearMs);
  const probability = -Math.expm1(guessesPerYear * Math.log1p(-liveCodes / codeSpace));
  return { guessesPerYear, probability };
}
