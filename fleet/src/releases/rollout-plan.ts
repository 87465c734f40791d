import { z } from 'zod';

/** One stage: a number of lockers more, or the share of all targeted lockers reached by its end. */
export const stageSchema = z.union([
  z.object({ lockers: z.number().int().positive() }).strict(),
  z.object({ percent: z.number().gt(0).max(100) }).strict(),
]);
export type Stage = z.infer<typeof stageSchema>;

/** 1 locker, then 10 %, then all. */
export const defaultStages: readonly Stage[] = [{ lockers: 1 }, { percent: 10 }, { percent: 100 }];

/**
 * Which stage each locker is in, in the order given: every stage adds at least one locker, the last
 * stage takes whatever is left, and stages that would add none are dropped.
 */
export function planStages(lockerIds: readonly string[], stages: readonly Stage[]): string[][] {
  const total = lockerIds.length;
  const planned: string[][] = [];
  let reached = 0;
  for (const [index, stage] of stages.entries()) {
    const last = index === stages.length - 1;
    const wanted = 'lockers' in stage ? reached + stage.lockers : Math.ceil((total * stage.percent) / 100);
    const end = last ? total : Math.min(total, Math.max(wanted, reached + 1));
    if (end > reached) planned.push(lockerIds.slice(reached, end));
    reached = Math.max(reached, end);
  }
  return planned;
}
