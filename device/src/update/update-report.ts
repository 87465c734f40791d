import type { UpdateState, UpdateStatus } from '@locker/protocol';

/** Sends an update status to the fleet; false when it could not go now (offline). */
export type UpdateReporter = (status: UpdateStatus) => Promise<boolean>;

export function updateStatus(
  fields: { rolloutId: string; version: string; running: string; state: UpdateState; at: Date },
  problem?: { code: string; message: string },
): UpdateStatus {
  const { at, ...rest } = fields;
  return {
    v: 1,
    ...rest,
    ...(problem ? { code: problem.code, message: problem.message.slice(0, 500) } : {}),
    at: at.toISOString(),
  };
}
