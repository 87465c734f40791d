import { createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateReleaseKey, signArtifact } from './artifact-signing.ts';
import { ReleaseError } from './release-error.ts';

/**
 * Offline, on the release manager's machine (never on the fleet):
 *   `npm run sign-release -- keygen --out keys/westhoek-release`  → .pem (private) and .pub.pem
 *   `npm run sign-release -- --key keys/westhoek-release.pem release/locker-0.2.0.tar.gz`
 *     → release/locker-0.2.0.tar.gz.sig.json (manifest: role, version, size, SHA-256; Ed25519 signature)
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { key: { type: 'string' }, out: { type: 'string' } },
});
if (positionals[0] === 'keygen') {
  if (!values.out) throw new ReleaseError('KEY_UNREADABLE', 'keygen needs --out <prefix>');
  const files = generateReleaseKey(values.out);
  process.stdout.write(`${JSON.stringify(files)}\n`);
} else {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(readFileSync(values.key ?? '', 'utf8'));
  } catch (error) {
    throw new ReleaseError('KEY_UNREADABLE', `--key ${values.key ?? '(missing)'}: ${error}`);
  }
  for (const artifact of positionals) {
    const signed = await signArtifact(artifact, key, new Date());
    writeFileSync(`${artifact}.sig.json`, `${JSON.stringify(signed, null, 2)}\n`);
    process.stdout.write(`${artifact}.sig.json ${signed.manifest.version} key ${signed.keyId}\n`);
  }
}
