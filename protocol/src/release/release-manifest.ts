import { z } from 'zod';

/**
 * What a release key signs: the artifact's name, version, size and SHA-256 digest. The signature
 * covers {@link manifestBytes} (fixed field order), never the JSON as it travelled.
 */
export const releaseManifestSchema = z
  .object({
    v: z.literal(1),
    /** The release role: only `locker` artifacts are installed by lockers. */
    role: z.enum(['locker', 'fleet']),
    version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]{1,40})?$/, 'a semantic version such as 0.2.0'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
    size: z.number().int().positive(),
    signedAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

/** A manifest with its Ed25519 signature (base64) and the id of the key that made it. */
export const signedManifestSchema = z
  .object({
    manifest: releaseManifestSchema,
    keyId: z.string().regex(/^[0-9a-f]{16}$/, 'the first 16 hex digits of the key fingerprint'),
    signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'an Ed25519 signature in base64'),
  })
  .strict();
export type SignedManifest = z.infer<typeof signedManifestSchema>;

/** The exact bytes a release key signs and a locker verifies. */
export function manifestBytes(manifest: ReleaseManifest): Buffer {
  const { v, role, version, sha256, size, signedAt } = manifest;
  return Buffer.from(JSON.stringify({ v, role, version, sha256, size, signedAt }), 'utf8');
}
