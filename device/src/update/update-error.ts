export type UpdateErrorCode =
  | 'MANIFEST_INVALID'
  | 'SIGNATURE_UNKNOWN_KEY'
  | 'SIGNATURE_INVALID'
  | 'WRONG_ROLE'
  | 'SIZE_MISMATCH'
  | 'DIGEST_MISMATCH'
  | 'TOO_LARGE'
  | 'DOWNLOAD_FAILED'
  | 'UNPACK_FAILED'
  | 'DEPENDENCIES_FAILED'
  | 'UNHEALTHY';

const hints: Record<UpdateErrorCode, string> = {
  MANIFEST_INVALID: 'the signed manifest does not parse; sign the artifact again with `npm run sign-release`',
  SIGNATURE_UNKNOWN_KEY:
    "no release key in this locker's config (updates.publicKeys) has the manifest's key id; add the municipality's public key",
  SIGNATURE_INVALID:
    'the signature does not match the manifest: refused, never unpacked; sign it again offline',
  WRONG_ROLE: 'only a locker release is installed on a locker',
  SIZE_MISMATCH: 'the artifact is not the size the manifest states: a truncated or altered file, refused',
  DIGEST_MISMATCH: 'the artifact is not the one that was signed: refused, never unpacked',
  TOO_LARGE: 'the artifact is larger than updates.maxArtifactBytes',
  DOWNLOAD_FAILED: 'the download failed; the next attempt resumes where it stopped',
  UNPACK_FAILED: 'the artifact did not unpack into one release directory; the running version is kept',
  DEPENDENCIES_FAILED:
    'the new release could not get its node_modules (npm ci needs the registry or its cache); the running version is kept',
  UNHEALTHY: 'the new version did not become healthy in time: switched back to the previous one',
};

export class UpdateError extends Error {
  override readonly name = 'UpdateError';
  readonly hint: string;
  constructor(
    readonly code: UpdateErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message} (${hints[code]})`, options);
    this.hint = hints[code];
  }
}
