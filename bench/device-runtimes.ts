import type { LockerRig } from '@locker/test-kit/locker';
import { startAndIdle, tsxDevice } from './locker-runtime.ts';

/** The device as a release runs it (`locker.service`): the build under plain node. Needs `npm run build`. */
export const builtDevice = [
  '--enable-source-maps',
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
