import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LockerRig } from '@locker/test-kit/locker';
import pino from 'pino';
import { createdToApplied, reservationsPerSecond } from './fleet-scale.ts';
import { lockBusBench } from './lockbus-bench.ts';
import { codeToUnlock } from './locker-runtime.ts';
import { runtimeFigures } from './runtime-figures.ts';

const logger = pino({ name: 'bench' }, pino.destination(2));
const samples = Number(process.env.BENCH_SAMPLES ?? 200);
const outDir = join(import.meta.dirname, 'results');

async function main(): Promise<void> {
  const lockBus = await lockBusBench(
    { tuned: samples, shipped: Number(process.env.BENCH_SHIPPED_SAMPLES ?? 30) },
    logger,
  );
  logger.info({ step: 'locker runtime' }, 'measuring start-to-ready, idle memory, code → unlock frame');
  const rig = new LockerRig();
  await rig.start();
  const staffPin = '3141592653';
  await rig.peer.publish({
    kind: 'staff',
    staff: [{ id: 'bench', display: 'B', role: 'desk', pinHash: rig.peer.hash('staff', staffPin) }],
  });
  const runtimes = await runtimeFigures(rig);
  logger.info(runtimes, 'device and fleet processes measured (source under tsx, build under plain node)');
  await rig.startDeviceInProcess();
  const flow = await codeToUnlock(rig, Math.min(samples, 60), staffPin);
  logger.info(flow, 'code → unlock frame measured');
  await rig.stop();
  logger.info({ step: 'fleet' }, 'measuring reservations per second through the API');
  const api = await reservationsPerSecond(Number(process.env.BENCH_RESERVATIONS ?? 2000), 16);
  logger.info(api, 'reservations per second measured');
  const lockerCount = Number(process.env.BENCH_LOCKERS ?? 1000);
  logger.info({ lockers: lockerCount }, 'measuring reservation created → applied on the locker');
  const fleetScale = await createdToApplied(lockerCount, Math.min(samples, 500));
  logger.info(fleetScale, 'created → applied measured');
  const report = {
    at: new Date().toISOString(),
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    unlockRoundTrip: lockBus.unlockRoundTrip,
    unlockShippedVsTuned: lockBus.shippedVsTuned,
    deviceProcess: runtimes.device.tsx,
    deviceProcessBuilt: runtimes.device.built,
    fleetProcess: runtimes.fleet.tsx,
    fleetProcessBuilt: runtimes.fleet.built,
    runtimeGoals: runtimes.goals,
    codeToUnlockFrame: flow,
    fleetApi: api,
    fleetCreatedToApplied: fleetScale,
    ratios: {
      ...lockBus.ratios,
      ...runtimes.device.ratios,
      fleetIdleRssBuiltVsTsx: runtimes.fleet.ratios.idleRssBuiltVsTsx,
      fleetRssWithLockersBuiltVsTsx: runtimes.fleet.ratios.rssWithLockersBuiltVsTsx,
    },
  };
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, 'lockbus.json');
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\nwritten to ${file}\n`);
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'benchmark failed');
  process.exit(1);
});
