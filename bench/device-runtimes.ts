import { readFileSync } from 'node:fs';
import type { LockerRig } from '@locker/test-kit/locker';
import { startAndIdle, tsxDevice } from './locker-runtime.ts';

/** The node flags `locker.service` starts the device with, read from the unit so the bench measures what ships. */
export function shippedNodeFlags(
  unit = new URL('../hardware-docs/locker-pc/locker.service', import.meta.url),
) {
  const execStart = readFileSync(unit, 'utf8')
    .split('\n')
    .find((line) => line.startsWith('ExecStart='));
  if (!execStart) throw new Error(`${unit.pathname} has no ExecStart`);
  return execStart.split(' ').filter((word) => word.startsWith('--') && word !== '--config');
}

/** The device as a release runs it (`locker.service`): the build under plain node. Needs `npm run build`. */
export const builtDevice = [
  ...shippedNodeFlags(),
  new URL('../device/dist/cli/device.js', import.meta.url).pathname,
];

const ratio = (value: number, base: number) => Math.round((value / base) * 100) / 100;

/** Start → ready, idle RSS and idle CPU of the device from source under tsx and built under plain node, in one run. */
export async function deviceRuntimes(rig: LockerRig, starts: number, idleMs: number) {
  const tsx = await startAndIdle(rig, starts, idleMs, tsxDevice);
  const built = await startAndIdle(rig, starts, idleMs, builtDevice);
  return {
    tsx,
    built,
    ratios: {
      idleRssBuiltVsTsx: ratio(built.idleRssMiB, tsx.idleRssMiB),
      startToReadyP50BuiltVsTsx: ratio(built.startToReadyMs.p50, tsx.startToReadyMs.p50),
    },
  };
}
