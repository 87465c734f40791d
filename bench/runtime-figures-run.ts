import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LockerRig } from '@locker/test-kit/locker';
import { runtimeFigures } from './runtime-figures.ts';

/** `npm run bench:runtime`: only the device and fleet runtime figures, to bench/results/runtime-figures.json. */
const rig = new LockerRig();
await rig.start();
try {
  const figures = await runtimeFigures(rig);
  const report = { at: new Date().toISOString(), node: process.version, ...figures };
  const outDir = join(import.meta.dirname, 'results');
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'runtime-figures.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await rig.stop();
}
