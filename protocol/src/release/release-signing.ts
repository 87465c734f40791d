import { type KeyObject, sign } from 'node:crypto';
import { releaseKeyId } from './release-key.ts';
import { manifestBytes, type ReleaseManifest, type SignedManifest } from './release-manifest.ts';

/** Signs a manifest with an Ed25519 release key (offline, on the release manager's machine). */
export function signManifest(manifest: ReleaseManifest, privateKey: KeyObject): SignedManifest {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519')
    throw new Error(`a release key is a private Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  return {
    manifest,
    keyId: releaseKeyId(privateKey),
    signature: sign(null, manifestBytes(manifest), privateKey).toString('base64'),
  };
}
