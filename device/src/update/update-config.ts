import { createPublicKey } from 'node:crypto';
import { z } from 'zod';

const minute = 60_000;

/** Defaults of the `updates` section, in one place. */
export const updateDefaults = {
  installRoot: '/opt/locker',
  maxArtifactBytes: 256 * 2 ** 20,
  healthGateMs: 10 * minute,
  /** Local hours [start, end): at night, when no citizen is expected. */
  window: { startHour: 1, endHour: 5 },
  /** The welcome page unchanged this long, and no door open: no citizen session (see locker-idle.ts). */
  idleQuietMs: 120_000,
} as const;

const ed25519PublicKeyPem = z
  .string()
  .min(1)
  .refine((pem) => {
    try {
      return createPublicKey(pem).asymmetricKeyType === 'ed25519';
    } catch {
      return false;
    }
  }, 'an Ed25519 public key in PEM (`npm run sign-release -- keygen` writes one as .pub.pem)');

/** Software updates from the fleet: release keys, where releases are installed, the health gate, the window. */
export const updateConfigSchema = z
  .object({
    /** Release public keys (PEM); a manifest signed by any other key is refused. */
    publicKeys: z.array(ed25519PublicKeyPem).min(1).max(8),
    /** The fleet's HTTP(S) base URL; artifacts are downloaded from `<downloadUrl>/api/releases/…` only. */
    downloadUrl: z.string().regex(/^https?:\/\//, 'an http(s) URL such as https://fleet.example.be'),
    /** Holds `releases/<version>/`, `current` (a symlink) and `update-state.json`. */
    installRoot: z.string().min(1).default(updateDefaults.installRoot),
    maxArtifactBytes: z
      .number()
      .int()
      .min(2 ** 20)
      .max(2 ** 31)
      .default(updateDefaults.maxArtifactBytes),
    /** How long a new version has to report healthy (lock bus and fleet sync up) before it is switched back. */
    healthGateMs: z
      .number()
      .int()
      .min(10_000)
      .max(60 * minute)
      .default(updateDefaults.healthGateMs),
    idleQuietMs: z
      .number()
      .int()
      .min(0)
      .max(60 * minute)
      .default(updateDefaults.idleQuietMs),
    window: z
      .object({ startHour: z.number().int().min(0).max(23), endHour: z.number().int().min(0).max(24) })
      .strict()
      .default(updateDefaults.window),
  })
  .strict();
export type UpdateConfig = z.output<typeof updateConfigSchema>;
