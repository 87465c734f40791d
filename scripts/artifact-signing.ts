import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileSha256, type SignedManifest, signManifest } from '@locker/protocol';
import { ReleaseError } from './release-error.ts';

const artifactName = /^(locker|fleet)-(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\.tar\.gz$/;

/**
 * The signed manifest of a release artifact (`<role>-<version>.tar.gz`): role and version from its
 * name, size and SHA-256 from its bytes, signed with an Ed25519 release key.
 */
export async function signArtifact(file: string, privateKey: KeyObject, now: Date): Promise<SignedManifest> {
  const match = artifactName.exec(basename(file));
  if (!match) throw new ReleaseError('NOT_AN_ARTIFACT', `${file} is not named <role>-<version>.tar.gz`);
  const [, role, version] = match as unknown as [string, 'locker' | 'fleet', string];
  return signManifest(
    {
      v: 1,
      role,
      version,
      sha256: await fileSha256(file),
      size: statSync(file).size,
      signedAt: now.toISOString(),
    },
    privateKey,
  );
}

/** A new release key pair: `<prefix>.pem` (private, mode 0600, keep offline) and `<prefix>.pub.pem`. */
export function generateReleaseKey(prefix: string): { privateFile: string; publicFile: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privateFile = `${prefix}.pem`;
  const publicFile = `${prefix}.pub.pem`;
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
    flag: 'wx',
  });
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }), { flag: 'wx' });
  return { privateFile, publicFile };
}
