export * from './code-decision.ts';
export * from './compartment-choice.ts';
export * from './door-outcome.ts';
export * from './lockout.ts';
export * from './reconcile-plan.ts';
export * from './reservation-merge.ts';
