import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The update in progress, in `<installRoot>/update-state.json`, written by rename (never half a file):
 * - `switched`: the previous version switched `current` to `version` and restarted; the new version
 *   has its health gate to pass (`attempts` counts its starts);
 * - `committed`: the new version passed the gate;
 * - `rolled_back`: the new version failed the gate and switched back to `previous`, which restores
 *   the backup if the new version migrated the database, and reports.
 */
export const updateRecordSchema = z
  .object({
    rolloutId: z.string().min(1),
    version: z.string().min(1),
    previous: z.string().min(1),
    phase: z.enum(['switched', 'committed', 'rolled_back']),
    attempts: z.number().int().min(0),
    /** The database as the previous version left it, taken before the new version could migrate it. */
    backup: z.string().min(1),
    reason: z.string().max(500).optional(),
    /** The outcome was published to the fleet. */
    reported: z.boolean(),
  })
  .strict();
export type UpdateRecord = z.infer<typeof updateRecordSchema>;

export function readUpdateRecord(file: string): UpdateRecord | undefined {
  if (!existsSync(file)) return undefined;
  return updateRecordSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
}

export function writeUpdateRecord(file: string, record: UpdateRecord): void {
  const next = `${file}.next`;
  writeFileSync(next, `${JSON.stringify(updateRecordSchema.parse(record), null, 2)}\n`);
  renameSync(next, file);
}
