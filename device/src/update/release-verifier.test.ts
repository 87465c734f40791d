import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signArtifact } from '../../../scripts/artifact-signing.ts';
import { verifyArtifact, verifyManifest } from './release-verifier.ts';

const work = mkdtempSync(join(tmpdir(), 'release-verifier-'));
const releaseKey = generateKeyPairSync('ed25519');
const otherKey = generateKeyPairSync('ed25519');
const signedAt = new Date('2026-11-25T10:00:00Z');

function artifact(name: string, bytes: Buffer): string {
  const file = join(work, name);
  writeFileSync(file, bytes);
  return file;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('release verification on the locker', () => {
  it('accepts an artifact signed with a configured release key', async () => {
    const file = artifact('locker-0.2.0.tar.gz', Buffer.from('release bytes'));
    const signed = await signArtifact(file, releaseKey.privateKey, signedAt);
    const manifest = verifyManifest(signed, [otherKey.publicKey, releaseKey.publicKey]);
    expect(manifest).toMatchObject({ role: 'locker', version: '0.2.0', size: 13 });
    await expect(verifyArtifact(file, manifest)).resolves.toBeUndefined();
  });

  it('refuses a manifest signed by a key the locker does not hold', async () => {
    const file = artifact('locker-0.2.1.tar.gz', Buffer.from('release bytes'));
    const signed = await signArtifact(file, otherKey.privateKey, signedAt);
    expect(() => verifyManifest(signed, [releaseKey.publicKey])).toThrow(/SIGNATURE_UNKNOWN_KEY/);
  });

  it('refuses a manifest whose version, digest or size was changed after signing', async () => {
    const file = artifact('locker-0.2.2.tar.gz', Buffer.from('release bytes'));
    const signed = await signArtifact(file, releaseKey.privateKey, signedAt);
    for (const change of [{ version: '9.9.9' }, { sha256: 'a'.repeat(64) }, { size: 14 }]) {
      const tampered = { ...signed, manifest: { ...signed.manifest, ...change } };
      expect(() => verifyManifest(tampered, [releaseKey.publicKey]), JSON.stringify(change)).toThrow(
        /SIGNATURE_INVALID/,
      );
    }
  });

  it('refuses a signature made by another key under the right key id', async () => {
    const file = artifact('locker-0.2.3.tar.gz', Buffer.from('release bytes'));
    const genuine = await signArtifact(file, releaseKey.privateKey, signedAt);
    const forged = await signArtifact(file, otherKey.privateKey, signedAt);
    expect(() => verifyManifest({ ...forged, keyId: genuine.keyId }, [releaseKey.publicKey])).toThrow(
      /SIGNATURE_INVALID/,
    );
  });

  it('refuses a manifest that does not parse, and a fleet release', async () => {
    expect(() => verifyManifest({ manifest: {} }, [releaseKey.publicKey])).toThrow(/MANIFEST_INVALID/);
    const file = artifact('fleet-0.2.0.tar.gz', Buffer.from('fleet bytes'));
    const signed = await signArtifact(file, releaseKey.privateKey, signedAt);
    expect(() => verifyManifest(signed, [releaseKey.publicKey])).toThrow(/WRONG_ROLE/);
  });

  it('refuses an artifact with a byte changed (same size) or a byte added after signing', async () => {
    const file = artifact('locker-0.3.0.tar.gz', Buffer.from('release bytes'));
    const manifest = verifyManifest(await signArtifact(file, releaseKey.privateKey, signedAt), [
      releaseKey.publicKey,
    ]);
    writeFileSync(file, Buffer.from('releasE bytes'));
    await expect(verifyArtifact(file, manifest)).rejects.toThrow(/DIGEST_MISMATCH/);
    appendFileSync(file, 'x');
    await expect(verifyArtifact(file, manifest)).rejects.toThrow(/SIZE_MISMATCH/);
  });
});
