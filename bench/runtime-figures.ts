import type { LockerRig } from '@locker/test-kit/locker';
import { deviceRuntimes } from './device-runtimes.ts';
import { builtFleet, fleetRss, fleetWithLockers, tsxFleet } from './fleet-runtimes.ts';

/** The goals of issue 11 for the built runtime; figures in MiB are compared after conversion from MB. */
export const runtimeGoals = { deviceIdleRssMB: 80, deviceStartToReadyMs: 2000, deviceIdleCpuPercent: 1 };

export const runtimeFigureDefaults = {
  starts: Number(process.env.BENCH_STARTS ?? 5),
  /** Idle CPU is measured over this span on the last start of each runtime. */
  deviceIdleMs: Number(process.env.BENCH_IDLE_MS ?? 60_000),
  fleetIdleMs: Number(process.env.BENCH_FLEET_IDLE_MS ?? 10_000),
  lockers: Number(process.env.BENCH_LOCKERS ?? 1000),
};

const ratio = (value: number, base: number) => Math.round((value / base) * 100) / 100;

/**
 * Device start → ready, idle RSS and idle CPU, and the fleet process's RSS idle and with `lockers`
 * connected, each for the source under tsx and the build under plain node in the same run.
 */
export async function runtimeFigures(rig: LockerRig, settings = runtimeFigureDefaults) {
  const device = await deviceRuntimes(rig, settings.starts, settings.deviceIdleMs);
  const setup = await fleetWithLockers(settings.lockers);
  const fleetTsx = await fleetRss(setup, tsxFleet, settings.fleetIdleMs);
  const fleetBuilt = await fleetRss(setup, builtFleet, settings.fleetIdleMs);
  const builtRssMB = (device.built.idleRssMiB * 2 ** 20) / 1e6;
  return {
    device,
    fleet: {
      tsx: fleetTsx,
      built: fleetBuilt,
      ratios: {
        idleRssBuiltVsTsx: ratio(fleetBuilt.idleRssMiB, fleetTsx.idleRssMiB),
        rssWithLockersBuiltVsTsx: ratio(fleetBuilt.rssWithLockersMiB, fleetTsx.rssWithLockersMiB),
      },
    },
    goals: {
      ...runtimeGoals,
      deviceIdleRssMBBuilt: Math.round(builtRssMB * 10) / 10,
      met: {
        deviceIdleRss: builtRssMB <= runtimeGoals.deviceIdleRssMB,
        deviceStartToReady: device.built.startToReadyMs.p50 <= runtimeGoals.deviceStartToReadyMs,
        deviceIdleCpu: device.built.idleCpuPercent <= runtimeGoals.deviceIdleCpuPercent,
      },
    },
  };
}
