import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { lockBusBench } from './lockbus-bench.ts';

/** `tsx bench/lockbus-run.ts`: only the lock-bus round trips (tuned and shipped), to bench/results/lockbus-only.json. */
const logger = pino({ name: 'bench' }, pino.destination(2));
const report = {
  at: new Date().toISOString(),
  node: process.version,
  ...(await lockBusBench(
    {
      tuned: Number(process.env.BENCH_SAMPLES ?? 200),
      shipped: Number(process.env.BENCH_SHIPPED_SAMPLES ?? 30),
    },
    logger,
  )),
};
const outDir = join(import.meta.dirname, 'results');
await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'lockbus-only.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
