import { join } from 'node:path';
import { buildReleaseArtifact } from './release-artifact.ts';
import { releaseRoles } from './release-roles.ts';

/** `npm run release` (after `npm run build`): one tarball per role in `release/`. */
const outDir = join(import.meta.dirname, '..', 'release');
for (const role of releaseRoles) process.stdout.write(`${await buildReleaseArtifact(role, outDir)}\n`);
