import { z } from 'zod';
import { signedManifestSchema } from '../release/release-manifest.ts';
import { schemaVersion } from './payload-schemas.ts';

const v = z.literal(schemaVersion);
const id = z.string().min(1).max(64);

/**
 * fleet → device, QoS 1: install this signed release. The locker downloads it from its configured
 * fleet URL (`/api/releases/locker/<version>/artifact`), in its maintenance window, when idle.
 */
export const updateCommandSchema = z.object({ v, rolloutId: id, release: signedManifestSchema }).strict();
export type UpdateCommand = z.infer<typeof updateCommandSchema>;

export const updateStateSchema = z.enum([
  /** Outside the maintenance window, or a citizen session / open door: waiting for idle. */
  'waiting',
  'downloading',
  /** Verified, unpacked, switched: restarting into the new version. */
  'switching',
  /** The new version passed its health gate. */
  'healthy',
  /** Signature, digest, size or role refused: never unpacked. */
  'refused',
  'failed',
  /** The new version did not become healthy in time: the previous one runs again. */
  'update_rolled_back',
]);
export type UpdateState = z.infer<typeof updateStateSchema>;

/** device → fleet, QoS 1: how an update command is going on this locker. */
export const updateStatusSchema = z
  .object({
    v,
    rolloutId: id,
    version: z.string().max(40),
    state: updateStateSchema,
    /** The version this locker runs now. */
    running: z.string().max(40),
    code: z.string().max(64).optional(),
    message: z.string().max(500).optional(),
    at: z.iso.datetime({ offset: true }),
  })
  .strict();
export type UpdateStatus = z.infer<typeof updateStatusSchema>;
