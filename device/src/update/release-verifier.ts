import { type KeyObject, verify } from 'node:crypto';
import { statSync } from 'node:fs';
import {
  fileSha256,
  manifestBytes,
  type ReleaseManifest,
  releaseKeyId,
  signedManifestSchema,
} from '@locker/protocol';
import { UpdateError } from './update-error.ts';

/**
 * Checks a signed manifest against the locker's release keys: it parses, its key is one of ours,
 * the Ed25519 signature holds over its bytes, and it is a locker release. Reads no artifact.
 */
export function verifyManifest(signed: unknown, keys: readonly KeyObject[]): ReleaseManifest {
  const parsed = signedManifestSchema.safeParse(signed);
  if (!parsed.success)
    throw new UpdateError(
      'MANIFEST_INVALID',
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  const { manifest, keyId, signature } = parsed.data;
  const key = keys.find((candidate) => releaseKeyId(candidate) === keyId);
  if (!key) throw new UpdateError('SIGNATURE_UNKNOWN_KEY', `key ${keyId}`);
  if (!verify(null, manifestBytes(manifest), key, Buffer.from(signature, 'base64')))
    throw new UpdateError('SIGNATURE_INVALID', `${manifest.role} ${manifest.version} signed by ${keyId}`);
  if (manifest.role !== 'locker') throw new UpdateError('WRONG_ROLE', `a ${manifest.role} release`);
  return manifest;
}

/** Checks an artifact on disk against a verified manifest: its size, then its SHA-256 digest. */
export async function verifyArtifact(file: string, manifest: ReleaseManifest): Promise<void> {
  const size = statSync(file).size;
  if (size !== manifest.size)
    throw new UpdateError('SIZE_MISMATCH', `${file} has ${size} bytes, the manifest ${manifest.size}`);
  const actual = await fileSha256(file);
  if (actual !== manifest.sha256)
    throw new UpdateError(
      'DIGEST_MISMATCH',
      `${file} has SHA-256 ${actual}, the manifest ${manifest.sha256}`,
    );
}
