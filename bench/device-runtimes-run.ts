import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LockerRig } from '@locker/test-kit/locker';
import { deviceRuntimes } from './device-runtimes.ts';

/** `npm run build && tsx bench/device-runtimes-run.ts`: only the device runtime figures, to bench/results/device-runtimes.json. */
const rig = new LockerRig();
await rig.start();
try {
  const figures = await deviceRuntimes(rig, Number(process.env.BENCH_STARTS ?? 5), 3000);
  const report = { at: new Date().toISOString(), node: process.version, deviceRuntimes: figures };
  const outDir = join(import.meta.dirname, 'results');
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, 'device-runtimes.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  await rig.stop();
}
