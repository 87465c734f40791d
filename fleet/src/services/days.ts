export const dayMs = 86_400_000;

/** The ISO time `days` days after `now` (epoch milliseconds). */
export const daysAfter = (now: number, days: number): string => new Date(now + days * dayMs).toISOString();
