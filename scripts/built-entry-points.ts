import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The built entry points the end-to-end tests start or pack. */
export const builtEntryPoints = ['device/dist/cli/device.js', 'fleet/dist/cli/fleet.js'] as const;

/**
 * Fails at once when the tree is not built. The end-to-end tests never build themselves: vitest
 * runs several files at once, and two builds would write the same dist folders together.
 */
export function requireBuilt(repoRoot: string): void {
  const missing = builtEntryPoints.filter((file) => !existsSync(join(repoRoot, file)));
  if (missing.length > 0)
    throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first (npm test does)`);
}
